#include <zhaoyin/http/metrics.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace zhaoyin::http {

namespace {

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return std::string(buf, result.ptr);
}

MetricFamily::MetricFamily(std::string name, std::string help, std::string type, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(std::move(type)), label_names_(std::move(label_names)) {
  if (!valid_name(name_)) throw std::invalid_argument("invalid metric name '" + name_ + "'");
  for (const auto& l : label_names_) {
    if (!valid_name(l) || l.find(':') != std::string::npos || l.rfind("__", 0) == 0)
      throw std::invalid_argument("invalid label name '" + l + "' in " + name_);
  }
}

void MetricFamily::check_labels(const LabelValues& values) const {
  if (values.size() != label_names_.size())
    throw std::invalid_argument("metric " + name_ + " takes " + std::to_string(label_names_.size()) +
                                " label values, got " + std::to_string(values.size()));
}

std::string MetricFamily::label_text(const LabelValues& values, const std::string& extra) const {
  if (values.empty() && extra.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += label_names_[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra.empty()) {
    if (!values.empty()) out += ',';
    out += extra;
  }
  return out + "}";
}

void MetricFamily::render(std::string& out) const {
  out += "# HELP " + name_ + " " + escape_help(help_) + "\n";
  out += "# TYPE " + name_ + " " + type_ + "\n";
  std::lock_guard lock(mutex_);
  render_samples(out);
}

// ---- Counter ----
Counter::Counter(std::string name, std::string help, std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), "counter", std::move(label_names)) {
  if (this->label_names().empty()) values_[{}] = 0;  // an unlabelled counter is always exposed
}

void Counter::inc(const LabelValues& labels, double by) {
  check_labels(labels);
  if (!(by >= 0)) throw std::invalid_argument("counter " + name() + " can only go up");
  std::lock_guard lock(mutex_);
  values_[labels] += by;
}

double Counter::value(const LabelValues& labels) const {
  std::lock_guard lock(mutex_);
  const auto it = values_.find(labels);
  return it == values_.end() ? 0.0 : it->second;
}

void Counter::render_samples(std::string& out) const {
  for (const auto& [labels, v] : values_) out += name() + label_text(labels) + " " + format_metric_value(v) + "\n";
}

// ---- Gauge ----
Gauge::Gauge(std::string name, std::string help, std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), "gauge", std::move(label_names)) {}

void Gauge::set(const LabelValues& labels, double v) {
  check_labels(labels);
  std::lock_guard lock(mutex_);
  values_[labels] = v;
}

void Gauge::add(const LabelValues& labels, double by) {
  check_labels(labels);
  std::lock_guard lock(mutex_);
  values_[labels] += by;
}

double Gauge::value(const LabelValues& labels) const {
  std::lock_guard lock(mutex_);
  const auto it = values_.find(labels);
  return it == values_.end() ? 0.0 : it->second;
}

void Gauge::render_samples(std::string& out) const {
  for (const auto& [labels, v] : values_) out += name() + label_text(labels) + " " + format_metric_value(v) + "\n";
}

// ---- Histogram ----
Histogram::Histogram(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> buckets)
    : MetricFamily(std::move(name), std::move(help), "histogram", std::move(label_names)), bounds_(std::move(buckets)) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (std::isnan(bounds_[i]) || (i > 0 && !(bounds_[i] > bounds_[i - 1])))
      throw std::invalid_argument("histogram " + this->name() + ": buckets must be ascending");
  }
  if (!bounds_.empty() && std::isinf(bounds_.back())) bounds_.pop_back();  // +Inf is implied
  for (const auto& l : this->label_names()) {
    if (l == "le") throw std::invalid_argument("histogram " + this->name() + " cannot have a label named le");
  }
}

std::vector<double> Histogram::default_seconds_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> Histogram::human_seconds_buckets() { return {1, 2, 5, 10, 20, 30, 60, 120, 300, 600}; }

void Histogram::observe(const LabelValues& labels, double v) {
  check_labels(labels);
  std::lock_guard lock(mutex_);
  auto& s = series_[labels];
  if (s.bucket_counts.empty()) s.bucket_counts.assign(bounds_.size(), 0);
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (v <= bounds_[i]) {
      ++s.bucket_counts[i];
      break;
    }
  }
  ++s.count;
  s.sum += v;
}

std::uint64_t Histogram::count(const LabelValues& labels) const {
  std::lock_guard lock(mutex_);
  const auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::render_samples(std::string& out) const {
  for (const auto& [labels, s] : series_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += s.bucket_counts[i];
      out += name() + "_bucket" + label_text(labels, "le=\"" + format_metric_value(bounds_[i]) + "\"") + " " +
             std::to_string(cumulative) + "\n";
    }
    out += name() + "_bucket" + label_text(labels, "le=\"+Inf\"") + " " + std::to_string(s.count) + "\n";
    out += name() + "_sum" + label_text(labels) + " " + format_metric_value(s.sum) + "\n";
    out += name() + "_count" + label_text(labels) + " " + std::to_string(s.count) + "\n";
  }
}

// ---- Registry ----
template <class T, class... Args>
T& Metrics::family(const std::string& name, std::vector<std::string> label_names, Args&&... args) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    auto* existing = dynamic_cast<T*>(it->second.get());
    if (!existing || existing->label_names() != label_names)
      throw std::logic_error("metric " + name + " is already registered with another type or labels");
    return *existing;
  }
  auto created = std::make_unique<T>(name, std::forward<Args>(args)..., std::move(label_names));
  T& ref = *created;
  families_.emplace(name, std::move(created));
  return ref;
}

Counter& Metrics::counter(const std::string& name, const std::string& help, std::vector<std::string> label_names) {
  return family<Counter>(name, std::move(label_names), help);
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names) {
  return family<Gauge>(name, std::move(label_names), help);
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names, std::vector<double> buckets) {
  std::lock_guard lock(mutex_);
  if (auto it = families_.find(name); it != families_.end()) {
    auto* existing = dynamic_cast<Histogram*>(it->second.get());
    if (!existing || existing->label_names() != label_names)
      throw std::logic_error("metric " + name + " is already registered with another type or labels");
    return *existing;
  }
  auto created = std::make_unique<Histogram>(name, help, std::move(label_names), std::move(buckets));
  Histogram& ref = *created;
  families_.emplace(name, std::move(created));
  return ref;
}

std::string Metrics::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, f] : families_) f->render(out);
  return out;
}

}  // namespace zhaoyin::http
