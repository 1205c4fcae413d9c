// NumPy 2 array protocols: __array__(dtype=None, copy=None) and
// __array_wrap__(array, context=None, return_scalar=False). Both signatures are the NumPy 2 ones,
// so NumPy never emits its DeprecationWarnings for them.
#include "interop/numpy_api.h"

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/error.h"

namespace tbpy {

namespace {

// NumPy's own text for a copy=False request that needs a copy.
constexpr const char* kNoCopyMessage =
    "Unable to avoid copy while creating an array as requested.\n"
    "If using `np.array(obj, copy=False)` replace it with `np.asarray(obj)` to allow a copy when "
    "needed (no behavior change in NumPy 1.x).\n"
    "For more details, see https://numpy.org/devdocs/numpy_2_0_migration_guide.html"
    "#adapting-to-changes-in-the-copy-keyword.";

nb::object array_dunder(const tb::Tensor& t, nb::handle dtype, nb::handle copy) {
  check_numpy_exportable(t);
  int copy_mode = -1;  // -1: if needed (None), 0: never (False), 1: always (True)
  if (!copy.is_none()) copy_mode = PyObject_IsTrue(copy.ptr());
  if (copy_mode < -1) throw nb::python_error();
  nb::object arr = ndarray_from_tensor(t);
  auto* a = reinterpret_cast<PyArrayObject*>(arr.ptr());
  if (!dtype.is_none()) {
    PyArray_Descr* want = nullptr;
    if (!PyArray_DescrConverter2(dtype.ptr(), &want)) throw nb::python_error();
    nb::object want_obj = nb::steal(reinterpret_cast<PyObject*>(want));
    if (want && !PyArray_EquivTypes(PyArray_DESCR(a), want)) {
      if (copy_mode == 0) throw nb::value_error(kNoCopyMessage);
      Py_INCREF(want);  // PyArray_CastToType steals it
      PyObject* r = PyArray_CastToType(a, want, 0);
      if (!r) throw nb::python_error();
      return nb::steal(r);  // a fresh array: the cast already copied
    }
  }
  if (copy_mode == 1) {
    PyObject* r = PyArray_NewCopy(a, NPY_KEEPORDER);
    if (!r) throw nb::python_error();
    return nb::steal(r);
  }
  return arr;
}

nb::object array_wrap(nb::handle /*self*/, nb::handle array, nb::handle context, nb::handle return_scalar) {
  nb::object arr = nb::borrow(array);
  if (!is_ndarray(arr)) {
    PyObject* r = PyArray_FromAny(arr.ptr(), nullptr, 0, 0, 0, nullptr);
    if (!r) throw nb::python_error();
    arr = nb::steal(r);
  }
  auto* a = reinterpret_cast<PyArrayObject*>(arr.ptr());
  if (PyArray_TYPE(a) == NPY_BOOL) {  // torch's legacy rule: boolean results become uint8
    PyObject* r = PyArray_Cast(a, NPY_UINT8);
    if (!r) throw nb::python_error();
    arr = nb::steal(r);
  }
  // return_scalar is ignored on purpose: torch returns a 0-d tensor, never a Python scalar.
  (void)context;
  (void)return_scalar;
  if (ndarray_is_aliasable(arr)) return wrap(tensor_from_ndarray(arr));
  return wrap(tensor_copy_from_ndarray(arr, std::nullopt));
}

}  // namespace

void bind_array_protocols(nb::module_& m, TensorClass& cls) {
  cls.def("__array__", &array_dunder, nb::arg("dtype").none() = nb::none(),
          nb::arg("copy").none() = nb::none(),
          "NumPy's __array__ protocol with NumPy 2 semantics: a view of the tensor's memory when\n"
          "possible; copy=True always copies, copy=False raises ValueError if a copy (a dtype\n"
          "change) is unavoidable. Raises like numpy() for tensors that require grad.");
  cls.def("__array_wrap__", &array_wrap, nb::arg("array"), nb::arg("context").none() = nb::none(),
          nb::arg("return_scalar").none() = nb::none(),
          "Wraps a NumPy result as a tensor sharing its memory (torch's rule: bool -> uint8).\n"
          "Takes NumPy 2's (array, context, return_scalar) arguments; always returns a tensor.");
  (void)m;
}

}  // namespace tbpy
