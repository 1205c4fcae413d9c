// Include this (never numpy/arrayobject.h directly) in the interop files that use NumPy's C API.
// One table of NumPy API pointers is shared by all of them; numpy_bridge.cpp imports it.
#pragma once
#include <Python.h>
#define PY_ARRAY_UNIQUE_SYMBOL tensorbridge_ARRAY_API
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#ifndef TB_NUMPY_IMPORT_HERE
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>
