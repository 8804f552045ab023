"""Code that has nothing to do with any skill: skill-lsp stays silent."""
import json

import numpy as np
import pandas as pd


def read(path):
    with open(path) as handle:
        return handle.read()


data = np.load('data.npy')
frame = pd.read_csv('table.csv')
config = json.load(open('config.json'))
text = read('notes.txt')
