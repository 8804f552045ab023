"""The same call spelled the ways people write it."""
import ase.io as aio
from ase.io import read as load_structure

atoms = aio.read('start.traj')
again = load_structure('start.traj', index=-1)
