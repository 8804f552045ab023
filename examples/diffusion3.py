"""Three inner NEB images, one MPI rank each: the script job.slurm runs."""
from ase.io import read
from ase.mep import NEB

initial = read('initial.traj')
final = read('final.traj')
images = [initial] + [initial.copy() for _ in range(3)] + [final]
neb = NEB(images, parallel=True)
