#include "tensorbridge/device.h"

#include <cctype>

#include "tensorbridge/error.h"

namespace tb {

std::string Device::type_str() const { return kind == DeviceKind::CPU ? "cpu" : "cuda"; }

std::string Device::str() const {
  std::string s = type_str();
  if (index >= 0) s += ":" + std::to_string(index);
  return s;
}

Device make_device(std::string_view type, int64_t index) {
  Device d;
  if (type == "cpu") d.kind = DeviceKind::CPU;
  else if (type == "cuda") d.kind = DeviceKind::CUDA;
  else
    throw RuntimeError("Expected one of cpu, cuda device type at start of device string: " +
                       std::string(type));
  if (index < -1 || index > 32767)
    throw RuntimeError("Device index must be -1 or non-negative, got " + std::to_string(index));
  if (d.kind == DeviceKind::CPU && index > 0)
    throw RuntimeError("CPU device index must be -1 or zero, got " + std::to_string(index));
  d.index = int16_t(index);
  return d;
}

Device parse_device(std::string_view spec) {
  auto colon = spec.find(':');
  std::string_view type = spec.substr(0, colon);
  int64_t index = -1;
  if (colon != std::string_view::npos) {
    std::string_view num = spec.substr(colon + 1);
    bool ok = !num.empty() && num.size() < 6 && !(num.size() > 1 && num[0] == '0');
    for (char c : num) ok = ok && std::isdigit(static_cast<unsigned char>(c));
    if (!ok) throw RuntimeError("Invalid device string: '" + std::string(spec) + "'");
    index = std::stoll(std::string(num));
  }
  if (type != "cpu" && type != "cuda")
    throw RuntimeError("Expected one of cpu, cuda device type at start of device string: " +
                       std::string(spec));
  return make_device(type, index);
}

void check_device_available(const Device& d) {
  if (d.kind == DeviceKind::CUDA)
    throw RuntimeError("tensorbridge was not compiled with CUDA enabled (device '" + d.str() +
                       "' requested)");
}

}  // namespace tb
