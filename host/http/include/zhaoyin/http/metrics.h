#pragma once
// A small metrics registry rendered in the Prometheus text exposition format
// (version 0.0.4): counters, gauges and histograms, each a family with fixed
// label names whose samples are keyed by label values. Thread-safe.
//
//   auto& requests = metrics.counter("zhaoyin_http_requests_total", "HTTP requests.", {"method", "route", "status"});
//   requests.inc({"GET", "/healthz", "200"});
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace zhaoyin::http {

using LabelValues = std::vector<std::string>;  // in the order of the family's label names

class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::string type, std::vector<std::string> label_names);
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends "# HELP", "# TYPE" and every sample line.
  void render(std::string& out) const;

 protected:
  void check_labels(const LabelValues& values) const;  // throws std::invalid_argument on a count mismatch
  // {a="x",b="y"} with `extra` (e.g. le="0.5") appended; "" when there are no labels.
  std::string label_text(const LabelValues& values, const std::string& extra = {}) const;
  virtual void render_samples(std::string& out) const = 0;
  mutable std::mutex mutex_;

 private:
  std::string name_, help_, type_;
  std::vector<std::string> label_names_;
};

class Counter final : public MetricFamily {
 public:
  Counter(std::string name, std::string help, std::vector<std::string> label_names);
  void inc(const LabelValues& labels = {}, double by = 1.0);  // by must be >= 0
  double value(const LabelValues& labels = {}) const;

 private:
  void render_samples(std::string& out) const override;
  std::map<LabelValues, double> values_;
};

class Gauge final : public MetricFamily {
 public:
  Gauge(std::string name, std::string help, std::vector<std::string> label_names);
  void set(const LabelValues& labels, double v);
  void add(const LabelValues& labels, double by);
  double value(const LabelValues& labels = {}) const;

 private:
  void render_samples(std::string& out) const override;
  std::map<LabelValues, double> values_;
};

class Histogram final : public MetricFamily {
 public:
  // Upper bounds, ascending; +Inf is implied.
  Histogram(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> buckets);
  void observe(const LabelValues& labels, double v);
  std::uint64_t count(const LabelValues& labels = {}) const;
  static std::vector<double> default_seconds_buckets();  // 5 ms .. 10 s
  static std::vector<double> human_seconds_buckets();    // 1 s .. 10 min: flows a person completes (scan, confirm)

 private:
  struct Series {
    std::vector<std::uint64_t> bucket_counts;  // non-cumulative, one per bound
    std::uint64_t count = 0;
    double sum = 0;
  };
  void render_samples(std::string& out) const override;
  std::vector<double> bounds_;
  std::map<LabelValues, Series> series_;
};

class Metrics {
 public:
  // Registers a family, or returns the existing one of that name when type and
  // label names agree (std::logic_error otherwise). References stay valid for
  // the registry's lifetime.
  Counter& counter(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  Gauge& gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<std::string> label_names,
                       std::vector<double> buckets = Histogram::default_seconds_buckets());

  // The whole registry, families sorted by name.
  std::string render() const;

 private:
  template <class T, class... Args>
  T& family(const std::string& name, std::vector<std::string> label_names, Args&&... args);
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<MetricFamily>> families_;
};

// Prometheus number text: integers without a fraction, "+Inf", "-Inf", "NaN".
std::string format_metric_value(double v);

}  // namespace zhaoyin::http
