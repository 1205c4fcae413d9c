// Error types of the core. Each maps to one Python exception class in the bindings
// (bindings/errors.cpp); the message text follows PyTorch's where PyTorch has one.
#pragma once
#include <stdexcept>
#include <string>

namespace tb {

enum class ErrorKind { Runtime, Type, Value, Index, NotImplemented, Buffer };

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// Convenience constructors: throw TypeError("...") reads like the Python it becomes.
#define TB_DEFINE_ERROR(Name, Kind) \
  struct Name : Error {             \
    explicit Name(const std::string& m) : Error(ErrorKind::Kind, m) {} \
  };
TB_DEFINE_ERROR(RuntimeError, Runtime)
TB_DEFINE_ERROR(TypeError, Type)
TB_DEFINE_ERROR(ValueError, Value)
TB_DEFINE_ERROR(IndexError, Index)
TB_DEFINE_ERROR(NotImplementedError, NotImplemented)
TB_DEFINE_ERROR(BufferError, Buffer)
#undef TB_DEFINE_ERROR

// Internal invariant (a bug in tensorbridge, not a user error). Never aborts the process.
#define TB_INTERNAL_ASSERT(cond, msg)                                                   \
  do {                                                                                  \
    if (!(cond))                                                                        \
      throw ::tb::RuntimeError(std::string("tensorbridge internal error: ") + (msg) +   \
                               " (" __FILE__ ":" + std::to_string(__LINE__) + ")");    \
  } while (0)

}  // namespace tb
