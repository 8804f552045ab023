//! Giving freed memory back to the system. glibc's allocator keeps what a large document
//! freed (its text, its parse tree, tree-sitter's parse stack) in the process for reuse,
//! so a closed 2 MB file would still count hundreds of megabytes against the editor.

/// Closing a document at least this large asks the allocator to return free pages.
pub const LARGE_DOCUMENT_BYTES: usize = 256 * 1024;

/// Returns the allocator's free pages to the system where the allocator keeps them
/// (glibc); elsewhere a no-op.
pub fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointers and only releases memory that is free.
    unsafe {
        libc::malloc_trim(0);
    }
}
