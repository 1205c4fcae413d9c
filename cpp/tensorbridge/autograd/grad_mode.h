// Thread-local autograd switches: grad mode (torch.is_grad_enabled), inference mode, and the
// process-wide anomaly mode (torch.autograd.set_detect_anomaly).
#pragma once
#include <functional>
#include <string>

namespace tb {

struct GradMode {
  static bool is_enabled() { return enabled_; }
  static void set_enabled(bool e) { enabled_ = e; }

 private:
  static inline thread_local bool enabled_ = true;
};

// RAII: sets grad mode for a scope and restores the previous value.
class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled) : prev_(GradMode::is_enabled()) { GradMode::set_enabled(enabled); }
  ~GradModeGuard() { GradMode::set_enabled(prev_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool prev_;
};

// torch.inference_mode: here grad mode off plus this flag (torch.is_inference_mode_enabled).
struct InferenceMode {
  static bool is_enabled() { return enabled_; }
  static void set_enabled(bool e) { enabled_ = e; }

 private:
  static inline thread_local bool enabled_ = false;
};

// Anomaly detection: nodes remember the forward traceback (trace_provider, set by the Python
// bindings), the engine reports it when a backward function fails (report) and, with check_nan,
// fails on gradients holding nan.
struct AnomalyMode {
  static bool is_enabled() { return enabled_; }
  static bool check_nan() { return check_nan_; }
  static void set_enabled(bool e, bool check_nan = true) {
    enabled_ = e;
    check_nan_ = check_nan;
  }
  static inline std::function<std::string()> trace_provider;
  static inline std::function<void(const std::string& node_name, const std::string& trace)> report;

 private:
  static inline bool enabled_ = false;
  static inline bool check_nan_ = true;
};

}  // namespace tb
