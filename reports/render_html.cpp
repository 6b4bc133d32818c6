// One self-contained HTML page per Report: the metrics, every table (with its Vega-Lite chart where the
// schema asks for one), the assumptions. Vega-Lite is inlined (reports/web_assets.h), so the page works
// offline. For tests the <body> counts what happened: data-charts-expected, data-charts (charts drawn) and
// data-errors (script errors and console.error calls).

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

nlohmann::json chart_spec(const Report& r, const TableSpec& t) {
  const ChartSpec& c = t.chart;
  const nlohmann::json rows = r.data.at(nlohmann::json::json_pointer(t.path));
  nlohmann::json spec = {
      {"$schema", "https://vega.github.io/schema/vega-lite/v5.json"}, {"width", 640}, {"data", {{"values", rows}}}};
  const nlohmann::json category = {{"field", c.category}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}};
  if (c.kind == "bar") {
    spec["mark"] = "bar";
    spec["encoding"] = {{"y", category},
                        {"x", {{"field", c.value}, {"type", "quantitative"}, {"title", c.value_title}}}};
    if (!c.color.empty()) spec["encoding"]["color"] = {{"field", c.color}, {"type", "nominal"}};
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
    if (!t.chart.kind.empty()) {
      const std::string id = fmt::format("chart-{}", charts.size());
      body += "<div id=\"" + id + "\"></div>\n";
      charts.push_back({{"id", id}, {"spec", chart_spec(r, t)}});
    }
    body += html_table(detail::table_headers(t), detail::table_cells(r, t, false));
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
