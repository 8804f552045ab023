//! The constants that tune ranking, in one place. A hit's score is the link's strength
//! (the key's kind, how the entry names it) times the entry kind's weight
//! (`catalog::kind_weight`).

use crate::catalog::mentions::Mention;

/// How strong a link through a name (a symbol, a command, an input keyword) is.
pub const NAME_KEY_STRENGTH: f32 = 3.0;

/// How strong a link through an exact key is: a value or a keyword says more than a name.
pub fn key_strength(key: Option<&crate::keys::Key>) -> f32 {
    use crate::keys::Key;
    match key {
        Some(Key::Value { .. }) => 5.0,
        Some(Key::Keyword { .. } | Key::Env(_) | Key::SettingValue { .. }) => 4.0,
        _ => NAME_KEY_STRENGTH,
    }
}

/// A mention is weaker than an exact key (factor 1.0): the pitfall names the API the way
/// people write about it, not by its qualified name.
pub fn mention_factor(how: Mention) -> f32 {
    match how {
        Mention::WholeSpan => 0.8,
        Mention::InSpan => 0.6,
        Mention::Prose => 0.5,
    }
}

/// Shortest normalised name linked by a mention inside a longer span or in prose (`dt`,
/// `np` are too common there); a whole span of a shorter name still counts.
pub const MIN_MENTIONED_NAME: usize = 3;

/// A pitfall in the skill whose example runs the hovered command (link 1e), sharing the
/// example's words: weaker than a pitfall naming the command.
pub const EXAMPLE_CONTEXT_FACTOR: f32 = 0.5;

/// Skills whose examples may run the command for link 1e: more, and it is a command
/// everyone runs (`cd`, `git`), no topic of its own.
pub const MAX_EXAMPLE_CONTEXT_SKILLS: usize = 2;

/// Topic words a pitfall must share with that example (one is often a generic `MPI`).
pub const MIN_EXAMPLE_CONTEXT_WORDS: usize = 2;

/// A retrieved pitfall (link 3) ranks below every keyed or mentioned one.
pub const RETRIEVAL_FACTOR: f32 = 1.0;

/// Retrieved pitfalls shown at most, for one hover.
pub const MAX_RETRIEVED: usize = 2;

/// Retrieved pitfalls shown beside those a key or a mention links (sharing two words
/// of the hovered name).
pub const MAX_RETRIEVED_BESIDE_KEYED: usize = 1;

/// Query weight of the hovered name's own words against the call's other words.
pub const RETRIEVED_OWN_BOOST: f32 = 2.0;

/// Shortest word of a name that counts for retrieval (`get`, `set`, `add`, `all` carry
/// no topic).
pub const MIN_GUARD_PART: usize = 4;

/// Words of Python names that say how, not what: no topic to retrieve by.
pub const GENERIC_NAME_PARTS: [&str; 12] = [
    "from", "with", "into", "data", "file", "self", "init", "none", "true", "false", "make",
    "create",
];

/// Words this long or longer match by their stem (all but the last two letters) in
/// retrieval: `perturbatively` finds "Perturbative".
pub const STEMMED_LENGTH: usize = 7;

/// Words this long or longer that end in `s` also match their singular in retrieval
/// (`models` finds "model-format").
pub const MIN_PLURAL: usize = 5;

/// Keywords an input file must share with a pack's skills for the pack to answer in it,
/// when the skills cite neither the file's name nor its extension.
pub const MIN_SHARED_SETTINGS: usize = 3;

/// What scientific Python abbreviates in names, written out as prose writes it: a
/// hovered `dt=` is about "Too-large timestep ...", `kpts=` about "k-point meshes". A
/// name part found here is retrieved by its long form (one word for one, so it counts
/// once towards the words a retrieved pitfall must share). `to` stands for the
/// conversion a `to_<format>` method does (`to_excel`: "Exporting ...").
pub const ABBREVIATIONS: [(&str, &str); 34] = [
    ("dt", "timestep"),
    ("tol", "tolerance"),
    ("rtol", "tolerance"),
    ("atol", "tolerance"),
    ("kpts", "kpoint"),
    ("kpoints", "kpoint"),
    ("xc", "functional"),
    ("nproc", "process"),
    ("nprocs", "process"),
    ("maxiter", "iteration"),
    ("niter", "iteration"),
    ("temp", "temperature"),
    ("freq", "frequency"),
    ("traj", "trajectory"),
    ("calc", "calculator"),
    ("conv", "convergence"),
    ("coord", "coordinate"),
    ("coords", "coordinate"),
    ("params", "parameter"),
    ("cfg", "configuration"),
    ("config", "configuration"),
    ("fmt", "format"),
    ("fname", "filename"),
    ("mol", "molecule"),
    ("nthreads", "thread"),
    ("ckpt", "checkpoint"),
    ("chkpt", "checkpoint"),
    ("ecut", "cutoff"),
    ("encut", "cutoff"),
    ("mem", "memory"),
    ("dim", "dimension"),
    ("pos", "position"),
    ("vel", "velocity"),
    ("to", "export"),
];

/// `part` written out when it is an abbreviation in [`ABBREVIATIONS`].
pub fn written_out(part: &str) -> &str {
    ABBREVIATIONS
        .iter()
        .find(|(short, _)| *short == part)
        .map_or(part, |(_, long)| long)
}
