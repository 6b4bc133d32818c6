// One self-contained HTML page per Report: the metrics, every table (with the Vega-Lite charts its schema
// asks for; a table not `listed` shows its charts only), the assumptions. Vega-Lite is inlined (reports/web_assets.h),
// so the page works offline. For tests the <body> counts what happened: data-charts-expected, data-charts (charts
// drawn) and data-errors (script errors and console.error calls).

#include <fmt/format.h>

#include <string>
#include <vector>

#include "reports/formats.h"
#include "reports/table_cells.h"
#include "reports/web_assets.h"

namespace fathom::reports {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// JSON safe inside a <script> element.
std::string script_json(const nlohmann::json& j) {
  std::string s = j.dump();
  for (size_t i = s.find("</"); i != std::string::npos; i = s.find("</", i + 3)) s.replace(i, 2, "<\\/");
  return s;
}

std::string html_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table><thead><tr>";
  for (const std::string& h : headers) out += "<th>" + escape(h) + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const std::string& c : row) out += "<td>" + escape(c) + "</td>";
    out += "</tr>";
  }
  return out + "</tbody></table>\n";
}

// The header the table shows for `key`, else the key.
std::string label_of(const TableSpec& t, const std::string& key) {
  for (const ColumnSpec& col : t.columns) {
    if (col.key == key) return col.unit.empty() ? col.header : col.header + " (" + col.unit + ")";
  }
  return key;
}

// "line": long-format values {x, x_end?, series, value}, one per row and series key (the legend shows the
// series' labels in the order given).
nlohmann::json line_values(const TableSpec& t, const ChartSpec& c, const nlohmann::json& rows) {
  nlohmann::json values = nlohmann::json::array();
  for (const nlohmann::json& row : rows) {
    for (const std::string& key : c.series) {
      nlohmann::json v = {{"x", row.at(c.category)}, {"series", label_of(t, key)}, {"value", row.at(key)}};
      if (!c.category_end.empty()) v["x_end"] = row.at(c.category_end);
      values.push_back(std::move(v));
    }
  }
  return values;
}

nlohmann::json chart_spec(const Report& r, const TableSpec& t, const ChartSpec& c) {
  const nlohmann::json& rows = r.data.at(nlohmann::json::json_pointer(t.path));
  nlohmann::json spec = {{"$schema", "https://vega.github.io/schema/vega-lite/v5.json"}, {"width", 640}};
  if (!c.title.empty()) spec["title"] = c.title;
  const nlohmann::json category = {{"field", c.category}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}};
  const nlohmann::json color = {{"field", c.color}, {"type", "nominal"}};
  if (c.kind == "line") {
    nlohmann::json series_order = nlohmann::json::array();
    for (const std::string& key : c.series) series_order.push_back(label_of(t, key));
    spec["data"] = {{"values", line_values(t, c, rows)}};
    const nlohmann::json x = {{"field", "x"}, {"type", "quantitative"}, {"title", c.category_title}};
    const nlohmann::json y = {{"field", "value"}, {"type", "quantitative"}, {"title", c.value_title}};
    const nlohmann::json legend = {
        {"field", "series"}, {"type", "nominal"}, {"sort", series_order}, {"title", nullptr}};
    if (c.category_end.empty()) {
      spec["mark"] = {{"type", "line"}, {"point", true}};
      spec["encoding"] = {{"x", x}, {"y", y}, {"color", legend}};
    } else {  // one flat segment per row: a step chart
      spec["mark"] = {{"type", "rule"}, {"strokeWidth", 2}};
      spec["encoding"] = {{"x", x}, {"x2", {{"field", "x_end"}}}, {"y", y}, {"color", legend}};
    }
    return spec;
  }
  spec["data"] = {{"values", rows}};
  if (c.kind == "bar") {
    spec["mark"] = "bar";
    spec["encoding"] = {{"y", category},
                        {"x", {{"field", c.value}, {"type", "quantitative"}, {"title", c.value_title}}}};
    if (!c.color.empty()) spec["encoding"]["color"] = color;
  } else if (c.kind == "scatter") {
    spec["mark"] = {{"type", "line"}, {"point", {{"filled", true}, {"size", 60}}}};
    spec["encoding"] = {
        {"x",
         {{"field", c.category}, {"type", "quantitative"}, {"title", c.category_title}, {"scale", {{"zero", false}}}}},
        {"y", {{"field", c.value}, {"type", "quantitative"}, {"title", c.value_title}, {"scale", {{"zero", false}}}}},
    };
    if (!c.color.empty()) spec["encoding"]["tooltip"] = {{{"field", c.color}, {"type", "nominal"}}};
  } else if (c.kind == "gantt") {
    spec["mark"] = "bar";
    spec["encoding"] = {
        {"y", category},
        {"x", {{"field", c.low}, {"type", "quantitative"}, {"title", c.value_title}}},
        {"x2", {{"field", c.high}}},
    };
    if (!c.color.empty()) spec["encoding"]["color"] = color;
  } else {  // interval
    spec["layer"] = {
        {{"mark", "rule"},
         {"encoding",
          {{"y", category},
           {"x", {{"field", c.low}, {"type", "quantitative"}, {"title", c.value_title}, {"scale", {{"zero", false}}}}},
           {"x2", {{"field", c.high}}}}}},
        {{"mark", {{"type", "point"}, {"filled", true}}},
         {"encoding", {{"y", category}, {"x", {{"field", c.value}, {"type", "quantitative"}}}}}}};
  }
  return spec;
}

constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;"
    "text-align:right}td:first-child,th:first-child{text-align:left}.warning{background:#fff3cd;padding:0.5em}"
    "code{font-size:90%}";

}  // namespace

std::string render_html(const Report& r) {
  const std::optional<std::string> scripts = vega_scripts();
  std::string body;
  for (const std::string& w : r.warnings) body += "<p class=\"warning\">Warning: " + escape(w) + "</p>\n";
  for (const std::string& line : r.lines) body += "<p>" + escape(line) + "</p>\n";
  std::vector<std::vector<std::string>> metrics;
  for (const MetricSpec& m : r.metrics) {
    metrics.push_back({m.description, format_quantity(r.metric(m.path), m.unit), m.path});
  }
  if (!metrics.empty()) body += "<h2>Metrics</h2>\n" + html_table({"metric", "value", "key"}, metrics);
  nlohmann::json charts = nlohmann::json::array();
  for (const TableSpec& t : r.tables) {
    body += "<h2>" + escape(t.title) + "</h2>\n";
    for (const ChartSpec& c : t.charts) {
      const std::string id = fmt::format("chart-{}", charts.size());
      body += "<div id=\"" + id + "\"></div>\n";
      charts.push_back({{"id", id}, {"spec", chart_spec(r, t, c)}});
    }
    if (t.listed) {
      body += html_table(detail::table_headers(t), detail::table_cells(r, t, false));
    } else {
      body += fmt::format("<p>{} rows, not listed here: they are in {}.csv.</p>\n",
                          r.data.at(nlohmann::json::json_pointer(t.path)).size(), escape(t.name));
    }
  }
  std::string folds;
  for (const nlohmann::json& f : r.data.value("folds", nlohmann::json::array())) {
    if (f.is_string()) folds += "<li>" + escape(f.get<std::string>()) + "</li>";
  }
  if (!folds.empty()) body += "<h2>Folds</h2>\n<ul>" + folds + "</ul>\n";
  std::vector<std::vector<std::string>> assumed;
  for (const nlohmann::json& a : r.data.value("assumptions", nlohmann::json::array())) {
    assumed.push_back({a["path"].get<std::string>(), a["value"].get<std::string>(), a["source"].get<std::string>()});
  }
  if (!assumed.empty())
    body += "<h2>Assumed and default values</h2>\n" + html_table({"path", "value", "source"}, assumed);
  if (!scripts && !charts.empty()) {
    body +=
        "<p class=\"warning\">The charts need Vega-Lite, which was not found when this page was written "
        "(tools/setup.sh installs it with npm into reports/web).</p>\n";
  }
  std::string out = fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title><style>{1}</style>\n"
      "<script>window.addEventListener('error',function(){{var "
      "b=document.body;b.dataset.errors=+b.dataset.errors+1;}});"
      "(function(){{var e=console.error;console.error=function(){{var b=document.body;if(b)b.dataset.errors="
      "+b.dataset.errors+1;e.apply(console,arguments);}};}})();</script>\n{2}</head>\n"
      "<body data-charts-expected=\"{3}\" data-charts=\"0\" data-errors=\"0\">\n<h1>{0}</h1>\n{4}",
      escape(r.title), kStyle, scripts.value_or(""), charts.size(), body);
  if (scripts && !charts.empty()) {
    out += "<script>var charts=" + script_json(charts) +
           ";charts.forEach(function(c){vegaEmbed('#'+c.id,c.spec,{renderer:'svg',actions:false}).then(function(){"
           "var b=document.body;b.dataset.charts=+b.dataset.charts+1;}).catch(function(e){console.error(e);});});"
           "</script>\n";
  }
  return out + "</body></html>\n";
}

}  // namespace fathom::reports
