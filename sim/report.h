#pragma once
// The one result type every run kind returns (ARCHITECTURE.md §6). A Report is the result as a JSON tree
// (`data`: the stable contract of `--json`, with "assumptions", "folds" and "scenario" in it) plus a schema
// that says how to show it: its metrics (a JSON pointer into `data`, a unit, a description, whether it is a
// headline figure) and its tables (a JSON pointer to an array of objects, and the columns to show). The
// renderers in reports/ turn any Report into text, JSON, CSV, Markdown, HTML or a Chrome trace without knowing its
// kind; `--bands` samples its headline metrics by path.
//
// Contract: every MetricSpec::path names a number in `data`, every TableSpec::path an array of objects whose
// column keys are numbers, strings or null (a value that does not exist, e.g. a ratio to 0: shown n/a; charts
// skip it) (check_report verifies both; the run kinds' tests call it).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sim/provenance.h"

namespace fathom {

// One number of a result. Units are plain strings ("s", "tokens/s", "USD", "B", "" for a ratio); text
// renderers choose a readable scale for "s" and "B".
struct MetricSpec {
  std::string path;  // JSON pointer into Report::data, e.g. "/prefill/input_tokens_per_s_per_node"
  std::string unit;
  std::string description;  // one line, what the number is
  bool headline = true;     // shown in summaries and sampled by --bands
};

// One column of a table: the key in each row object, the header, the unit and a scale for display
// (the shown value is value * scale; the unit should name the scaled unit, e.g. "ms" with 1e3).
struct ColumnSpec {
  std::string key;
  std::string header;
  std::string unit;
  double scale = 1.0;
  int decimals = -1;  // -1: four significant digits
};

// A chart of a table's rows (the HTML report draws it with Vega-Lite). Keys name fields of the rows.
//  - "bar": one bar per row, `category` on the axis, `value` its length, coloured by `color` if given;
//  - "interval": per row a line from `low` to `high` with a dot at `value`, rows along `category`;
//  - "line": x is the number at `category` (e.g. a window's start hour), one line per key of `series`
//    (its legend the column's header where the table shows that key); with `category_end` set, each row
//    holds its values flat from `category` to `category_end` (a step chart of windows);
//  - "gantt": per row a bar from `low` to `high` along x (a time), in the lane named by `category`
//    (lanes in the order they first appear), coloured by `color`;
//  - "scatter": per row a point at x = `category`, y = `value` (both numbers; e.g. a Pareto front), labelled
//    in its tooltip by `color` if given, joined by a line in order of x.
// Build the newer kinds with line_chart / gantt_chart / scatter_chart below.
struct ChartSpec {
  std::string kind;  // "bar", "interval", "line", "gantt" or "scatter"
  std::string category, value, color, low, high;
  std::string value_title;               // the value axis title ("gantt": the time axis)
  std::vector<std::string> series = {};  // "line": the value keys, one line each
  std::string category_end = {};         // "line": optional end of each row's span on x
  std::string category_title = {};       // "line", "scatter": the x axis title
  std::string title = {};                // optional, shown above the chart
};

ChartSpec line_chart(std::string title, std::string x, std::string x_end, std::string x_title,
                     std::vector<std::string> series, std::string value_title);
ChartSpec gantt_chart(std::string title, std::string lane, std::string start, std::string end, std::string color,
                      std::string time_title);
ChartSpec scatter_chart(std::string title, std::string x, std::string x_title, std::string y, std::string y_title,
                        std::string label);

struct TableSpec {
  std::string name;   // file-name-safe, e.g. "breakdown" (CSV files are <name>.csv)
  std::string title;  // shown above the table
  std::string path;   // JSON pointer to an array of objects in Report::data
  std::vector<ColumnSpec> columns;
  std::vector<ChartSpec> charts = {};  // drawn above the table in HTML, in order
  bool listed = true;  // false: too many rows to read; text and Markdown leave the table out, HTML shows its
                       // charts only; CSV (and the trace format for a timeline) keep every row
};

struct Report {
  std::string kind;                   // the run kind ("unit", "serving", ...)
  std::string title;                  // the scenario's name
  std::vector<std::string> warnings;  // shown first (e.g. another GPU's kernel calibration in use)
  std::vector<std::string> lines;     // short sentences a reader needs before the numbers
  nlohmann::json data = nlohmann::json::object();
  std::vector<MetricSpec> metrics;
  std::vector<TableSpec> tables;
  // The name of the table holding the run's timeline ("" if none); the "trace" format renders it. Its rows:
  // "process" and "thread" (integers, e.g. pipeline rank and stream), "process_name", "thread_name",
  // "name", "category" (strings), "start_s" and "end_s" (seconds from the start of the run).
  std::string timeline;

  // The number at `path`; throws std::out_of_range naming the path if absent or not a number.
  double metric(std::string_view path) const;
};

// Throws std::logic_error naming the first metric or table path, chart field or timeline key that does not hold what
// the schema says.
void check_report(const Report& report);

// "88.09 ms", "61.9 GiB", "7.2 TB/s", "21,506 tokens/s": seconds below one in ms or us, bytes in GiB/MiB,
// bandwidths in GB/s or TB/s (decimal),
// large numbers grouped by thousands; how every renderer shows a metric.
std::string format_quantity(double value, std::string_view unit);

// The assumed and default values a prediction rests on: [{"path", "value", "source", "range"?}, ...].
nlohmann::json assumptions_json(const ProvenanceLog& log);

}  // namespace fathom
