#!/usr/bin/env python3
"""Writes scenarios/calibration/blackwell-from-h800.json: the H800 fit (scenarios/calibration/h800.json)
with each family's efficiencies times a stated, assumed Blackwell factor. No Blackwell kernel timings
exist in the corpora, so nothing here is a fit: every parameter becomes `assumed:` with the factor, its
range and the reason, and provenance.scaled_from names the GPU the curves were fitted on (fathom then
warns, in every result, that every family is uncalibrated: hw/calibration_match.h). The ranges are the
doubt; scenarios carry them as kernel_time_factors ranges so --bands shows them (docs/bands.md).

Usage: tools/scale-calibration.py  (from the repository root; rewrites the file)
"""
import json

SOURCE = "scenarios/calibration/h800.json"
TARGET = "scenarios/calibration/blackwell-from-h800.json"

# family: (factor on compute_efficiency_max, (low, high), factor on memory_efficiency, (low, high), why)
FACTORS = {
    "dense_gemm": (0.9, (0.75, 1.0), 1.0, (0.9, 1.05),
                   "Blackwell GEMM kernels (tcgen05, 2-CTA MMA) are newer than Hopper's; assume 10% less of the "
                   "doubled peak reached, between 25% less and the same"),
    "grouped_gemm_contiguous": (0.9, (0.75, 1.0), 1.0, (0.9, 1.05), "as dense_gemm"),
    "grouped_gemm_masked": (0.9, (0.75, 1.0), 1.0, (0.9, 1.05), "as dense_gemm"),
    "attention_prefill": (1.0, (0.85, 1.05), 1.0, (0.9, 1.05),
                          "FlashMLA sparse prefill reaches 640 TFLOPS on H800 and 1450 on B200 (K05): 2.27x, "
                          "the BF16 peak ratio 2250/989, so the same fraction of peak"),
    "mla_decode": (1.0, (0.8, 1.05), 1.0, (0.85, 1.05),
                   "no Blackwell MLA decode timings; same fractions of the higher peaks (FlashMLA has Blackwell "
                   "kernels, K05)"),
    "attention_decode": (1.0, (0.75, 1.25), 1.0, (0.75, 1.1), "assumed family on Hopper too; unchanged"),
    "attention_backward": (1.0, (0.75, 1.25), 1.0, (0.75, 1.1), "assumed family on Hopper too; unchanged"),
    "elementwise": (1.0, (0.75, 1.25), 1.0, (0.75, 1.1), "assumed family on Hopper too; unchanged"),
}


def scaled(entry, factor, rng, why, name):
    value = entry["value"]
    new = round(value * factor, 6)
    return {"value": new,
            "source": f"assumed:H800 {name} {value} x Blackwell factor {factor} (range {rng[0]}-{rng[1]}): {why}"}


def carried(entry, name):
    return {"value": entry["value"],
            "source": f"assumed:the H800's {name} ({entry['source']}) carried over unchanged"}


def main():
    h800 = json.load(open(SOURCE))
    families = {}
    for family, params in h800["families"].items():
        ce, ce_rng, me, me_rng, why = FACTORS[family]
        out = {}
        for key, entry in params.items():
            if key == "fit":
                continue  # the H800 fit statistics say nothing about Blackwell
            if key == "compute_efficiency_max":
                out[key] = scaled(entry, ce, ce_rng, why, key)
            elif key == "memory_efficiency":
                out[key] = scaled(entry, me, me_rng, why, key)
            else:
                out[key] = carried(entry, key)
        families[family] = out
    doc = {
        "device": "NVIDIA Blackwell (B200, GB200, GB300)",
        "provenance": {
            "method": "scaled: tools/scale-calibration.py, the H800 fit times assumed per-family factors",
            "tables": [],
            "hold_out": "none: no Blackwell kernel timings",
            "scaled_from": h800["device"],
        },
        "families": families,
    }
    with open(TARGET, "w") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
