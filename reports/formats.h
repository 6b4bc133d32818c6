#pragma once
// The output formats every Report renders in (sim/report.h), as a registry (`fathom list`: "format"):
// text for people, JSON (the --json contract), Markdown (a summary page), CSV (the tables) and HTML (a
// self-contained page with charts) and trace (the timeline, where the report has one). A run kind
// has no renderer code of its own: adding a format is one file here and one registry entry.

#include <string>
#include <string_view>

#include "sim/registry.h"
#include "sim/report.h"

namespace fathom::reports {

using Renderer = std::string (*)(const Report& report);

const Registry<Renderer>& format_registry();

// The report in `format`; InputError "<where>: unknown format ..." for a name not in the registry.
std::string render(const Report& report, std::string_view format, std::string_view where = "--format");

std::string render_text(const Report& report);
std::string render_json(const Report& report);
std::string render_markdown(const Report& report);
// One self-contained page with Vega-Lite charts (reports/render_html.cpp).
std::string render_html(const Report& report);
// CSV of every table, each under a "# <name>" line; render_table_csv is one table.
std::string render_csv(const Report& report);
std::string render_table_csv(const Report& report, const TableSpec& table);
// The timeline table (Report::timeline) as Chrome-trace JSON (reports/render_trace.cpp); InputError
// "trace: a <kind> run has no timeline ..." for a report without one.
std::string render_trace(const Report& report);

using fathom::format_quantity;  // sim/report.h

}  // namespace fathom::reports
