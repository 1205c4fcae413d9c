// Device {kind, index}. "cpu" is built; "cuda" parses but is reported as not built (for now).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace tb {

enum class DeviceKind : uint8_t { CPU, CUDA };

struct Device {
  DeviceKind kind = DeviceKind::CPU;
  int16_t index = -1;  // -1: "current"/unspecified, as torch

  bool is_cpu() const { return kind == DeviceKind::CPU; }
  bool operator==(const Device&) const = default;
  std::string type_str() const;  // "cpu" / "cuda"
  std::string str() const;       // "cpu", "cuda", "cuda:1"
};

inline constexpr Device kCPU{};

// Parses "cpu", "cuda", "cuda:0" (torch's grammar); RuntimeError with torch's text otherwise.
Device parse_device(std::string_view spec);
Device make_device(std::string_view type, int64_t index);
// Throws RuntimeError unless the device can hold tensors in this build.
void check_device_available(const Device& d);

}  // namespace tb
