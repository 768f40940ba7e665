import os
import sys

# the shared helpers (tests/_nn.py) live one level up
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
