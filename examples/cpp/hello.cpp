// The README's C++ example: a tensor, a view, printed as Python's repr prints it.
#include <iostream>

#include "tensorbridge/format/format.h"
#include "tensorbridge/ops.h"

int main() {
  tb::Tensor t = tb::arange(tb::Scalar(int64_t(0)), tb::Scalar(int64_t(6)), tb::Scalar(int64_t(1)),
                            tb::DType::Float64);
  tb::Tensor m = t.as_strided({2, 3}, {3, 1}, 0);  // a view, no copy
  std::cout << m << "\n";
  return 0;
}
