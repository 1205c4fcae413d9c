// Printing: torch's tensor repr, byte for byte (spec: shared/spec/printing.md), in ONE place.
// Python's __repr__/__str__ and C++'s operator<< both call tb::repr.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "tensorbridge/tensor.h"

namespace tb {

// torch.set_printoptions state. No validation on assignment, as torch; bad values surface when
// printing: negative precision -> ValueError (as Python's format), negative edgeitems ->
// ValueError.
struct PrintOptions {
  int precision = 4;          // digits after the point (fixed and scientific)
  int64_t threshold = 1000;   // summarize when numel > threshold; "inf" is INT64_MAX
  int64_t edgeitems = 3;      // items kept at each end of a summarized dimension
  int64_t linewidth = 80;     // wrap rows and suffixes at this width
  std::optional<bool> sci_mode;  // nullopt: automatic choice
};

// The process-wide options (torch's are global too). Not synchronised: set them from one thread.
PrintOptions& print_options();

// Applies a torch profile ("default", "short", "full"); unknown names are ignored, as torch does.
void apply_print_profile(PrintOptions& opts, std::string_view profile);

// torch's repr text. A non-empty grad_fn_name adds `grad_fn=<NAME>` instead of requires_grad=True;
// `prefix` is the class-name part before '(' ("tensor", or a Python subclass's name).
std::string repr(const Tensor& t, std::string_view grad_fn_name = {},
                 std::string_view prefix = "tensor");

// Same text as repr(t).
std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace tb
