// Random numbers: tensorbridge.Generator, the seeding functions, the sampling factories and the
// in-place sampler methods of Tensor. Values match torch's CPU generator bit for bit.
#include <Python.h>

#include "bindings.h"
#include "tensorbridge/error.h"
#include "tensorbridge/random/generator.h"
#include "tensorbridge/random/sampling.h"

namespace tbpy {

namespace {

// torch's seed argument: an int in [-2^63, 2^64); negatives are taken modulo 2^64.
uint64_t seed_from_py(nb::handle h) {
  PyObject* o = h.ptr();
  if (!PyLong_Check(o)) {
    if (PyFloat_Check(o) || !PyIndex_Check(o))
      throw tb::TypeError(std::string("manual_seed expected a long, but got ") + Py_TYPE(o)->tp_name);
  }
  nb::object idx = nb::steal(PyNumber_Index(o));
  if (!idx.is_valid()) throw nb::python_error();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(idx.ptr(), &overflow);
  if (overflow == 0) {
    if (v == -1 && PyErr_Occurred()) throw nb::python_error();
    return uint64_t(v);
  }
  if (overflow > 0) {
    unsigned long long u = PyLong_AsUnsignedLongLong(idx.ptr());
    if (u == (unsigned long long)-1 && PyErr_Occurred()) {
      PyErr_Clear();
      throw tb::ValueError("Overflow when unpacking long long");
    }
    return uint64_t(u);
  }
  throw tb::ValueError("Overflow when unpacking long long");
}

tb::Generator* gen_from_py(nb::handle h, const char* fn) {
  if (h.is_none()) return nullptr;
  tb::Generator* g = nullptr;
  if (!nb::try_cast<tb::Generator*>(h, g) || !g)
    throw tb::TypeError(std::string(fn) + "(): argument 'generator' must be tensorbridge.Generator, not " +
                        py_type_name(h));
  return g;
}

double double_from_py(nb::handle h, const char* fn, const char* arg) {
  PyObject* o = h.ptr();
  if (is_tensor(h)) {
    const tb::Tensor& t = nb::cast<const tb::Tensor&>(h);
    if (t.numel() == 1) return tb::item(t).to_double();
  }
  if (PyFloat_Check(o)) return PyFloat_AS_DOUBLE(o);
  if (PyLong_Check(o) || PyIndex_Check(o) || PyNumber_Check(o)) {
    double v = PyFloat_AsDouble(o);
    if (v == -1.0 && PyErr_Occurred()) throw nb::python_error();
    return v;
  }
  throw tb::TypeError(std::string(fn) + "(): argument '" + arg + "' must be float, not " + py_type_name(h));
}

int64_t int_from_py(nb::handle h, const char* fn, const char* arg) {
  PyObject* o = h.ptr();
  if (PyFloat_Check(o) || !PyIndex_Check(o))
    throw tb::TypeError(std::string(fn) + "(): argument '" + arg + "' must be int, not " + py_type_name(h));
  nb::object idx = nb::steal(PyNumber_Index(o));
  if (!idx.is_valid()) throw nb::python_error();
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(idx.ptr(), &overflow);
  if (overflow) throw tb::RuntimeError("Overflow when unpacking long");
  return v;
}

// torch resizes an out= tensor of another shape.
void resize_out(tb::Tensor& out, const tb::Shape& shape) { tb::resize_(out, shape); }

nb::object finish(tb::Tensor t, bool requires_grad) {
  if (requires_grad) t.set_requires_grad(true);
  return wrap(tb::fresh(std::move(t)));  // filled in place, but new: version 0 as torch
}

void check_cpu(nb::handle device) {
  tb::Device d = device_from_py(device);
  tb::check_device_available(d);
}

// Factories of the form f(*size, generator=None, out=None, dtype=None, layout=None, device=None,
// requires_grad=False, pin_memory=False): rand, randn.
template <typename Fill>
nb::object sized_factory(const char* fn, const nb::args& args, nb::handle size, nb::handle generator,
                         nb::handle out, nb::handle dtype, nb::handle device, bool requires_grad, Fill fill) {
  if (!size.is_none() && args.size() > 0)
    throw tb::TypeError(std::string(fn) + "() got multiple values for argument 'size'");
  tb::Shape shape = size.is_none() ? size_from_args(args, fn) : size_from_py(size, fn);
  tb::check_sizes_nonnegative(shape);
  check_cpu(device);
  tb::Generator* g = gen_from_py(generator, fn);
  std::optional<tb::DType> dt = optional_dtype(dtype, fn);
  if (!out.is_none()) {
    tb::Tensor& o = tensor_from_py(out, fn, "out");
    if (dt && *dt != o.dtype())
      throw tb::RuntimeError("dtype " + std::string(tb::dtype_name(*dt)) +
                             " does not match dtype of out parameter (" + std::string(tb::dtype_name(o.dtype())) +
                             ")");
    resize_out(o, shape);
    fill(o, g);
    if (requires_grad) o.set_requires_grad(true);
    return nb::borrow(out);
  }
  tb::Tensor t = tb::empty(shape, dt.value_or(tb::kDefaultFloat));
  fill(t, g);
  return finish(std::move(t), requires_grad);
}

#define TB_FACTORY_ARGS                                                                            \
  nb::arg("args"), nb::kw_only(), nb::arg("size").none() = nb::none(),                             \
      nb::arg("generator").none() = nb::none(),                                                    \
      nb::arg("out").none() = nb::none(), nb::arg("dtype").none() = nb::none(),                    \
      nb::arg("layout").none() = nb::none(), nb::arg("device").none() = nb::none(),                \
      nb::arg("requires_grad") = false, nb::arg("pin_memory") = false

#define TB_LIKE_ARGS                                                                               \
  nb::kw_only(), nb::arg("dtype").none() = nb::none(), nb::arg("layout").none() = nb::none(),     \
      nb::arg("device").none() = nb::none(), nb::arg("requires_grad") = false,                     \
      nb::arg("memory_format").none() = nb::none(), nb::arg("generator").none() = nb::none()

// Returns self (the same Python object) after an in-place sampler.
template <typename F>
nb::object inplace(nb::handle self, F&& f) {
  tb::Tensor& t = tensor_from_py(self, "", "self");
  f(t);
  return nb::borrow(self);
}

void bind_generator(nb::module_& m) {
  nb::class_<tb::Generator>(m, "Generator",
                            "A CPU random number generator, identical to torch.Generator: MT19937 seeded\n"
                            "from the low 32 bits of the seed, with torch's Box-Muller cache and a\n"
                            "5056-byte state that can be exchanged with torch.")
      .def(
          "__init__",
          [](tb::Generator* self, nb::handle device) {
            check_cpu(device);
            new (self) tb::Generator();
          },
          nb::arg("device").none() = nb::none(),
          "A new generator seeded with torch's default seed 67280421310721.")
      .def(
          "manual_seed",
          [](nb::handle self, nb::handle seed) {
            nb::cast<tb::Generator&>(self).manual_seed(seed_from_py(seed));
            return nb::borrow(self);
          },
          nb::arg("seed"), "Seeds the generator (any int in [-2**63, 2**64)); returns the generator.")
      .def("seed", &tb::Generator::seed, "Seeds from a non-deterministic source; returns that seed.")
      .def("initial_seed", &tb::Generator::initial_seed, "The seed the generator was last seeded with.")
      .def(
          "get_state", [](tb::Generator& g) { return wrap(tb::get_rng_state(&g)); },
          "The state as a uint8 tensor of 5056 bytes (torch's layout).")
      .def(
          "set_state",
          [](nb::handle self, nb::handle state) {
            tb::Tensor& s = tensor_from_py(state, "set_state", "new_state");
            tb::set_rng_state(s, &nb::cast<tb::Generator&>(self));
            return nb::borrow(self);
          },
          nb::arg("new_state"), "Restores a state from get_state() (or torch's get_state()); returns the generator.")
      .def_prop_ro(
          "device", [](tb::Generator& g) { return device_object(g.device()); }, "The device: cpu.")
      .def("__repr__", [](tb::Generator& g) {
        return "<tensorbridge.Generator object, initial_seed=" + std::to_string(g.initial_seed()) + ">";
      });
}

}  // namespace

void bind_random(nb::module_& m, TensorClass& cls) {
  bind_generator(m);
  m.attr("default_generator") = nb::cast(&tb::default_generator(), nb::rv_policy::reference);

  // ---- seeding ---------------------------------------------------------------------------------
  m.def(
      "manual_seed",
      [](nb::handle seed) {
        nb::object s = nb::borrow(seed);
        if (!PyLong_Check(seed.ptr())) s = nb::steal(PyNumber_Long(seed.ptr()));  // torch: int(seed)
        if (!s.is_valid()) throw nb::python_error();
        tb::manual_seed(seed_from_py(s));
        return nb::cast(&tb::default_generator(), nb::rv_policy::reference);
      },
      nb::arg("seed"), "Seeds the default generator; returns it (torch.manual_seed).");
  m.def("seed", [] { return tb::seed(); }, "Seeds the default generator non-deterministically; returns the seed.");
  m.def("initial_seed", [] { return tb::initial_seed(); }, "The default generator's seed.");
  m.def(
      "get_rng_state", [] { return wrap(tb::get_rng_state()); },
      "The default generator's state: a uint8 tensor of 5056 bytes, exchangeable with torch.");
  m.def(
      "set_rng_state",
      [](nb::handle state) {
        if (!is_tensor(state)) throw tb::TypeError("RNG state must be a torch.ByteTensor");
        tb::set_rng_state(tensor_from_py(state, "set_rng_state", "new_state"));
      },
      nb::arg("new_state"), "Restores the default generator's state (uint8 tensor of 5056 bytes).");

  // ---- factories -------------------------------------------------------------------------------
  m.def(
      "rand",
      [](nb::args args, nb::handle size, nb::handle generator, nb::handle out, nb::handle dtype, nb::handle,
         nb::handle device, bool requires_grad, bool) {
        return sized_factory("rand", args, size, generator, out, dtype, device, requires_grad,
                             [](tb::Tensor& t, tb::Generator* g) { tb::uniform_(t, 0.0, 1.0, g); });
      },
      TB_FACTORY_ARGS, "Uniform samples in [0, 1): rand(2, 3), rand([2, 3], dtype=float64, generator=g).");
  m.def(
      "randn",
      [](nb::args args, nb::handle size, nb::handle generator, nb::handle out, nb::handle dtype, nb::handle,
         nb::handle device, bool requires_grad, bool) {
        return sized_factory("randn", args, size, generator, out, dtype, device, requires_grad,
                             [](tb::Tensor& t, tb::Generator* g) { tb::normal_(t, 0.0, 1.0, g); });
      },
      TB_FACTORY_ARGS, "Standard normal samples: randn(2, 3), randn([2, 3], generator=g).");

  // randint(high, size) / randint(low, high, size)
  m.def(
      "randint",
      [](nb::args args, nb::kwargs kwargs) {
        nb::handle low, high, size, generator = nb::none(), out = nb::none(), dtype = nb::none(),
                                     device = nb::none();
        bool requires_grad = false;
        std::vector<nb::handle> pos(args.begin(), args.end());
        for (auto [k, v] : kwargs) {
          std::string key = nb::cast<std::string>(k);
          if (key == "low") low = v;
          else if (key == "high") high = v;
          else if (key == "size") size = v;
          else if (key == "generator") generator = v;
          else if (key == "out") out = v;
          else if (key == "dtype") dtype = v;
          else if (key == "device") device = v;
          else if (key == "requires_grad") requires_grad = nb::cast<bool>(v);
          else if (key == "layout" || key == "pin_memory") continue;
          else throw tb::TypeError("randint() got an unexpected keyword argument '" + key + "'");
        }
        // Fill the positional slots: (high, size) or (low, high, size).
        if (pos.size() == 3) {
          low = pos[0], high = pos[1], size = pos[2];
        } else if (pos.size() == 2) {
          if (size.is_valid()) low = pos[0], high = pos[1];
          else high = pos[0], size = pos[1];
        } else if (pos.size() == 1) {
          if (high.is_valid()) low = pos[0];
          else high = pos[0];
        } else if (pos.size() > 3) {
          throw tb::TypeError("randint() takes at most 3 positional arguments");
        }
        if (!high.is_valid() || !size.is_valid())
          throw tb::TypeError("randint() missing required arguments: expected (high, size) or (low, high, size)");
        if (!PyTuple_Check(size.ptr()) && !PyList_Check(size.ptr()) && !nb::hasattr(size, "__len__"))
          throw tb::TypeError("randint(): argument 'size' (position " + std::to_string(pos.size()) +
                              ") must be tuple of ints, not " + py_type_name(size));
        const int64_t lo = low.is_valid() ? int_from_py(low, "randint", "low") : 0;
        const int64_t hi = int_from_py(high, "randint", "high");
        tb::Shape shape = size_from_py(size, "randint");
        tb::check_sizes_nonnegative(shape);
        check_cpu(device);
        tb::Generator* g = gen_from_py(generator, "randint");
        std::optional<tb::DType> dt = optional_dtype(dtype, "randint");
        if (!out.is_none()) {
          tb::Tensor& o = tensor_from_py(out, "randint", "out");
          resize_out(o, shape);
          tb::random_(o, lo, hi, g);
          return nb::borrow(out);
        }
        tb::Tensor t = tb::empty(shape, dt.value_or(tb::DType::Int64));
        tb::random_(t, lo, hi, g);
        return finish(std::move(t), requires_grad);
      },
      "Integers drawn uniformly from [low, high): randint(10, (3,)), randint(-5, 5, (2, 2)).\n"
      "Keywords: generator, out, dtype (default int64), device, requires_grad.");

  m.def(
      "randperm",
      [](nb::handle n_obj, nb::handle generator, nb::handle out, nb::handle dtype, nb::handle, nb::handle device,
         bool requires_grad, bool) {
        const int64_t n = int_from_py(n_obj, "randperm", "n");
        check_cpu(device);
        tb::Generator* g = gen_from_py(generator, "randperm");
        if (!out.is_none()) {
          tb::Tensor& o = tensor_from_py(out, "randperm", "out");
          if (n < 0) tb::randperm(n, o.dtype(), g);  // raises torch's message
          resize_out(o, tb::Shape{n});
          tb::randperm_out(o, n, g);
          return nb::borrow(out);
        }
        tb::Tensor t = tb::randperm(n, optional_dtype(dtype, "randperm").value_or(tb::DType::Int64), g);
        return finish(std::move(t), requires_grad);
      },
      nb::arg("n"), nb::kw_only(), nb::arg("generator").none() = nb::none(), nb::arg("out").none() = nb::none(),
      nb::arg("dtype").none() = nb::none(), nb::arg("layout").none() = nb::none(),
      nb::arg("device").none() = nb::none(), nb::arg("requires_grad") = false, nb::arg("pin_memory") = false,
      "A random permutation of 0..n-1 (int64 unless dtype is given).");

  // ---- *_like ----------------------------------------------------------------------------------
  m.def(
      "rand_like",
      [](const tb::Tensor& in, nb::handle dtype, nb::handle, nb::handle device, bool requires_grad, nb::handle,
         nb::handle generator) {
        check_cpu(device);
        return finish(tb::rand_like(in, optional_dtype(dtype, "rand_like"), gen_from_py(generator, "rand_like")),
                      requires_grad);
      },
      nb::arg("input"), TB_LIKE_ARGS, "rand with input's shape and dtype (strides kept like torch).");
  m.def(
      "randn_like",
      [](const tb::Tensor& in, nb::handle dtype, nb::handle, nb::handle device, bool requires_grad, nb::handle,
         nb::handle generator) {
        check_cpu(device);
        return finish(tb::randn_like(in, optional_dtype(dtype, "randn_like"), gen_from_py(generator, "randn_like")),
                      requires_grad);
      },
      nb::arg("input"), TB_LIKE_ARGS, "randn with input's shape and dtype (strides kept like torch).");
  m.def(
      "randint_like",
      [](const tb::Tensor& in, nb::handle a, nb::handle b, nb::handle dtype, nb::handle, nb::handle device,
         bool requires_grad, nb::handle, nb::handle generator) {
        check_cpu(device);
        int64_t lo = 0, hi;
        if (a.is_none() && b.is_none()) throw tb::TypeError("randint_like() missing required argument 'high'");
        if (b.is_none()) {
          hi = int_from_py(a, "randint_like", "high");
        } else if (a.is_none()) {
          hi = int_from_py(b, "randint_like", "high");
        } else {
          lo = int_from_py(a, "randint_like", "low");
          hi = int_from_py(b, "randint_like", "high");
        }
        return finish(tb::randint_like(in, lo, hi, optional_dtype(dtype, "randint_like"),
                                       gen_from_py(generator, "randint_like")),
                      requires_grad);
      },
      nb::arg("input"), nb::arg("low").none() = nb::none(), nb::arg("high").none() = nb::none(), TB_LIKE_ARGS,
      "randint with input's shape and dtype: randint_like(x, high) or randint_like(x, low, high).");

  // ---- functional samplers -----------------------------------------------------------------------
  m.def(
      "normal",
      [](nb::handle mean, nb::handle std, nb::handle size, nb::handle generator, nb::handle out, nb::handle dtype,
         nb::handle, nb::handle device, bool requires_grad, bool) -> nb::object {
        tb::Generator* g = gen_from_py(generator, "normal");
        const bool mt = is_tensor(mean), st = is_tensor(std);
        if (!mt && !st) {
          if (size.is_none())
            throw tb::TypeError("normal() received an invalid combination of arguments - got (float, float), "
                                "but expected a size when mean and std are numbers");
          tb::Shape shape = size_from_py(size, "normal");
          tb::check_sizes_nonnegative(shape);
          check_cpu(device);
          double mu = double_from_py(mean, "normal", "mean"), sd = double_from_py(std, "normal", "std");
          if (!out.is_none()) {
            tb::Tensor& o = tensor_from_py(out, "normal", "out");
            resize_out(o, shape);
            tb::normal_(o, mu, sd, g);
            return nb::borrow(out);
          }
          tb::Tensor t = tb::normal(mu, sd, shape, optional_dtype(dtype, "normal").value_or(tb::kDefaultFloat), g);
          return finish(std::move(t), requires_grad);
        }
        if (!size.is_none()) throw tb::TypeError("normal(): size is only accepted with float mean and std");
        tb::Tensor result;
        if (mt && st) {
          const tb::Tensor& a = nb::cast<const tb::Tensor&>(mean);
          const tb::Tensor& b = nb::cast<const tb::Tensor&>(std);
          if (!out.is_none()) {
            tb::Tensor& o = tensor_from_py(out, "normal", "out");
            resize_out(o, tb::broadcast_shapes(a.shape(), b.shape()));
            tb::normal_out(o, a, b, g);
            return nb::borrow(out);
          }
          result = tb::normal(a, b, g);
        } else if (mt) {
          const tb::Tensor& a = nb::cast<const tb::Tensor&>(mean);
          double sd = double_from_py(std, "normal", "std");
          if (!out.is_none()) {
            tb::Tensor& o = tensor_from_py(out, "normal", "out");
            resize_out(o, a.shape());
            tb::normal_out(o, a, sd, g);
            return nb::borrow(out);
          }
          result = tb::normal(a, sd, g);
        } else {
          const tb::Tensor& b = nb::cast<const tb::Tensor&>(std);
          double mu = double_from_py(mean, "normal", "mean");
          if (!out.is_none()) {
            tb::Tensor& o = tensor_from_py(out, "normal", "out");
            resize_out(o, b.shape());
            tb::normal_out(o, mu, b, g);
            return nb::borrow(out);
          }
          result = tb::normal(mu, b, g);
        }
        return finish(std::move(result), requires_grad);
      },
      nb::arg("mean"), nb::arg("std") = 1.0, nb::arg("size").none() = nb::none(), nb::kw_only(),
      nb::arg("generator").none() = nb::none(), nb::arg("out").none() = nb::none(),
      nb::arg("dtype").none() = nb::none(), nb::arg("layout").none() = nb::none(),
      nb::arg("device").none() = nb::none(), nb::arg("requires_grad") = false, nb::arg("pin_memory") = false,
      "Normal samples: normal(mean_t, std_t), normal(mean_t, 1.0), normal(0.0, std_t),\n"
      "normal(0.0, 1.0, size). Tensor forms draw randn then `* std + mean` like torch.");

  auto bernoulli_fn = [](const tb::Tensor& in, nb::handle p, nb::handle generator, nb::handle out) -> nb::object {
    tb::Generator* g = gen_from_py(generator, "bernoulli");
    tb::Tensor r = p.is_none() ? tb::bernoulli(in, g) : tb::bernoulli(in, double_from_py(p, "bernoulli", "p"), g);
    if (!out.is_none()) {
      tb::Tensor& o = tensor_from_py(out, "bernoulli", "out");
      resize_out(o, r.shape());
      tb::copy_(o, r);
      return nb::borrow(out);
    }
    return wrap(std::move(r));
  };
  m.def("bernoulli", bernoulli_fn, nb::arg("input"), nb::arg("p").none() = nb::none(), nb::kw_only(),
        nb::arg("generator").none() = nb::none(), nb::arg("out").none() = nb::none(),
        "0/1 samples: bernoulli(probs) with per-element probabilities, or bernoulli(input, p).");
  auto multinomial_fn = [](const tb::Tensor& in, int64_t n, bool replacement, nb::handle generator,
                           nb::handle out) -> nb::object {
    tb::Tensor r = tb::multinomial(in, n, replacement, gen_from_py(generator, "multinomial"));
    if (!out.is_none()) {
      tb::Tensor& o = tensor_from_py(out, "multinomial", "out");
      resize_out(o, r.shape());
      tb::copy_(o, r);
      return nb::borrow(out);
    }
    return wrap(std::move(r));
  };
  m.def("multinomial", multinomial_fn, nb::arg("input"), nb::arg("num_samples"), nb::arg("replacement") = false,
        nb::kw_only(), nb::arg("generator").none() = nb::none(), nb::arg("out").none() = nb::none(),
        "Category indices sampled from each row of input (1-D or 2-D), int64.");

  // ---- Tensor methods ----------------------------------------------------------------------------
  cls.def(
      "uniform_",
      [](nb::handle self, nb::handle from, nb::handle to, nb::handle generator) {
        return inplace(self, [&](tb::Tensor& t) {
          tb::uniform_(t, double_from_py(from, "uniform_", "from"), double_from_py(to, "uniform_", "to"),
                       gen_from_py(generator, "uniform_"));
        });
      },
      nb::arg("from") = 0.0, nb::arg("to") = 1.0, nb::kw_only(), nb::arg("generator").none() = nb::none(),
      "Fills self with uniform samples from [from, to); returns self.");
  cls.def(
      "normal_",
      [](nb::handle self, nb::handle mean, nb::handle std, nb::handle generator) {
        return inplace(self, [&](tb::Tensor& t) {
          tb::normal_(t, double_from_py(mean, "normal_", "mean"), double_from_py(std, "normal_", "std"),
                      gen_from_py(generator, "normal_"));
        });
      },
      nb::arg("mean") = 0.0, nb::arg("std") = 1.0, nb::kw_only(), nb::arg("generator").none() = nb::none(),
      "Fills self with normal samples; returns self.");
  cls.def(
      "random_",
      [](nb::handle self, nb::handle a, nb::handle b, nb::handle generator) {
        return inplace(self, [&](tb::Tensor& t) {
          tb::Generator* g = gen_from_py(generator, "random_");
          const bool b_given = !b.is(nb::ellipsis());
          if (a.is_none() && !b_given) {
            tb::random_(t, g);
          } else if (!b_given) {
            tb::random_(t, 0, int_from_py(a, "random_", "to"), g);
          } else {
            int64_t from = a.is_none() ? 0 : int_from_py(a, "random_", "from");
            std::optional<int64_t> to;
            if (!b.is_none()) to = int_from_py(b, "random_", "to");
            tb::random_(t, from, to, g);
          }
        });
      },
      nb::arg("from").none() = nb::none(), nb::arg("to").none() = nb::ellipsis(), nb::kw_only(),
      nb::arg("generator").none() = nb::none(),
      "random_(): integers over the dtype's range; random_(to): [0, to); random_(from, to): [from, to)\n"
      "(to=None: up to the dtype's maximum). Returns self.");
  cls.def(
      "exponential_",
      [](nb::handle self, nb::handle lambd, nb::handle generator) {
        return inplace(self, [&](tb::Tensor& t) {
          tb::exponential_(t, double_from_py(lambd, "exponential_", "lambd"), gen_from_py(generator, "exponential_"));
        });
      },
      nb::arg("lambd") = 1.0, nb::kw_only(), nb::arg("generator").none() = nb::none(),
      "Fills self with exponential samples of rate lambd; returns self.");
  cls.def(
      "geometric_",
      [](nb::handle self, nb::handle p, nb::handle generator) {
        return inplace(self, [&](tb::Tensor& t) {
          tb::geometric_(t, double_from_py(p, "geometric_", "p"), gen_from_py(generator, "geometric_"));
        });
      },
      nb::arg("p"), nb::kw_only(), nb::arg("generator").none() = nb::none(),
      "Fills self with geometric samples (trials until the first success, >= 1); returns self.");
  cls.def(
      "cauchy_",
      [](nb::handle self, nb::handle median, nb::handle sigma, nb::handle generator) {
        return inplace(self, [&](tb::Tensor& t) {
          tb::cauchy_(t, double_from_py(median, "cauchy_", "median"), double_from_py(sigma, "cauchy_", "sigma"),
                      gen_from_py(generator, "cauchy_"));
        });
      },
      nb::arg("median") = 0.0, nb::arg("sigma") = 1.0, nb::kw_only(), nb::arg("generator").none() = nb::none(),
      "Fills self with Cauchy samples; returns self.");
  cls.def(
      "log_normal_",
      [](nb::handle self, nb::handle mean, nb::handle std, nb::handle generator) {
        return inplace(self, [&](tb::Tensor& t) {
          tb::log_normal_(t, double_from_py(mean, "log_normal_", "mean"), double_from_py(std, "log_normal_", "std"),
                          gen_from_py(generator, "log_normal_"));
        });
      },
      nb::arg("mean") = 1.0, nb::arg("std") = 2.0, nb::kw_only(), nb::arg("generator").none() = nb::none(),
      "Fills self with exp(normal(mean, std)) samples; returns self.");
  cls.def(
      "bernoulli_",
      [](nb::handle self, nb::handle p, nb::handle generator) {
        return inplace(self, [&](tb::Tensor& t) {
          tb::Generator* g = gen_from_py(generator, "bernoulli_");
          if (is_tensor(p)) tb::bernoulli_(t, nb::cast<const tb::Tensor&>(p), g);
          else tb::bernoulli_(t, double_from_py(p, "bernoulli_", "p"), g);
        });
      },
      nb::arg("p") = 0.5, nb::kw_only(), nb::arg("generator").none() = nb::none(),
      "Fills self with 0/1 samples, probability p (a float or a tensor broadcast to self); returns self.");
  cls.def(
      "bernoulli",
      [bernoulli_fn](const tb::Tensor& t, nb::handle p, nb::handle generator) {
        return bernoulli_fn(t, p, generator, nb::none());
      },
      nb::arg("p").none() = nb::none(), nb::kw_only(), nb::arg("generator").none() = nb::none(),
      "0/1 samples with probabilities self (or scalar p with self's shape).");
  cls.def(
      "multinomial",
      [multinomial_fn](const tb::Tensor& t, int64_t n, bool replacement, nb::handle generator) {
        return multinomial_fn(t, n, replacement, generator, nb::none());
      },
      nb::arg("num_samples"), nb::arg("replacement") = false, nb::kw_only(),
      nb::arg("generator").none() = nb::none(), "Category indices sampled from each row of self.");
}

}  // namespace tbpy
