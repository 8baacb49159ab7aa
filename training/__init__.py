"""PyTorch reproduction of the training objective of "Colorful Image Colorization"
(Zhang, Isola, Efros, ECCV 2016) for the colorization Turing test platform.

Runs with Debian's /usr/bin/python3 + python3-torch (PyTorch 1.13, CPU) and with
PyTorch 2.x on a CUDA GPU. See docs/training.md.
"""
