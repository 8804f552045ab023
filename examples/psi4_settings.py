"""Psi4 through ASE with keywords other calculators take: skill-lsp flags them."""
from ase.build import molecule
from ase.calculators.psi4 import Psi4

water = molecule('H2O')

# Copied from a VASP script: Psi4 rejects `xc` and periodic `kpts`.
water.calc = Psi4(xc='b3lyp', basis='cc-pvdz')
slab_calc = Psi4(method='pbe', kpts=(4, 4, 1))

calc = Psi4(method='b3lyp', basis='6-31g', num_threads=4)
calc.read('psi4-calc')
