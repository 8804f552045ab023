"""Relax a structure read under MPI, then run a PT-TEBD chain: the cases skill-lsp knows."""
import os

from ase.io import read, Trajectory
from ase.parallel import world
from ase.calculators.psi4 import Psi4
import oqupy

os.environ["OMP_NUM_THREADS"] = "1"

atoms = read('start.traj')
per_rank = Trajectory(f'traj_{world.rank}.traj')

atoms.calc = Psi4(method='b3lyp', basis='cc-pvdz')
energy = atoms.get_potential_energy()

pt_tebd = oqupy.PtTebd(
    initial_augmented_mps=initial_augmented_mps,
    system_chain=system_chain,
    process_tensors=process_tensors,
    parameters=pt_tebd_params,
    backend_config={"parallel": "multithread"},
)
results = pt_tebd.compute(num_steps=100)
