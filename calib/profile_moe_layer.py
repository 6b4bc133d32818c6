#!/usr/bin/env python3
"""Profiles one DeepSeek-V3-shaped MoE layer, forward + backward, on ONE GPU with PyTorch's profiler.

Writes into --out:
  moe-layer-trace.json  Kineto Chrome-trace JSON (record_shapes on): what `fathom calibrate trace` and
                        `fathom compare-trace` read (docs/calibration-traces.md)
  moe-layer-facts.json  the run's facts: torch version, device, shapes, tokens, which paths ran, step times

The layer (shapes from the HF config.json, default scenarios/models/deepseek-v3.config.json), as one GPU
of an EP deployment holds it (TP1, expert parallel EP --ep, default 64 as the training chunk unit
scenario, published T06):
  RMSNorm -> MLA (q_a 7168->1536, RMSNorm, q_b 1536->128x192; kv_a 7168->512+64, RMSNorm,
  kv_b 512->128x256; rotary on the 64 rope dims; causal attention over --seq-len sequences; o 16384->7168)
  -> RMSNorm -> router (7168->256, sigmoid, top-8, weights normalised) -> the n_routed/ep local experts
  (SwiGLU 7168->2x2048->7168, one GEMM per expert over its tokens: PyTorch has no grouped GEMM)
  + the shared expert on every token.
There is no all-to-all on one GPU. The tokens the local experts receive under balanced EP are emulated
locally: each own token's top-k picks are folded onto the local experts (expert id mod local experts),
so the GPU's expert GEMMs see --tokens x top-k rows, what one GPU of a balanced EP group computes
(tokens x top-k rows leave each GPU and as many arrive). The dispatch/combine themselves are absent.

FP8: where torch has torch._scaled_mm and the GPU supports it (CC >= 8.9), each profiled step also runs
the local experts' forward GEMMs in FP8 (E4M3 inputs, per-tensor scales, BF16 out; no autograd formula
exists for _scaled_mm, so forward only, under no_grad). Otherwise, or on any error, it is skipped and
the facts say why. --fp8 off turns it off.

--device cpu runs the same on the CPU (float32 unless --dtype bf16; use --scale-down for small shapes):
a dry run of the script and of the trace format, no timings worth keeping.
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument("--config", default=os.path.join(here, "..", "scenarios", "models", "deepseek-v3.config.json"))
    p.add_argument("--out", required=True, help="output folder (created)")
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--dtype", default=None, choices=["bf16", "fp32"], help="default: bf16 on cuda, fp32 on cpu")
    p.add_argument("--ep", type=int, default=64, help="expert-parallel size emulated (local experts = routed / ep)")
    p.add_argument("--tokens", type=int, default=4096, help="tokens per GPU (one micro-batch)")
    p.add_argument("--seq-len", type=int, default=4096, help="sequence length (tokens / seq-len sequences)")
    p.add_argument("--scale-down", type=int, default=1,
                   help="divide hidden, LoRA ranks, heads and intermediate sizes by this (CPU dry runs)")
    p.add_argument("--warmup", type=int, default=3, help="untimed, unprofiled steps first")
    p.add_argument("--steps", type=int, default=3, help="profiled steps")
    p.add_argument("--fp8", default="auto", choices=["auto", "off"])
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def read_shapes(args):
    with open(args.config) as f:
        c = json.load(f)
    s = max(1, args.scale_down)
    shapes = {
        "hidden": c["hidden_size"] // s,
        "q_lora": c["q_lora_rank"] // s,
        "kv_lora": c["kv_lora_rank"] // s,
        "heads": max(1, c["num_attention_heads"] // s),
        "qk_nope": c["qk_nope_head_dim"],
        "qk_rope": c["qk_rope_head_dim"],
        "v_head": c["v_head_dim"],
        "routed_experts": c["n_routed_experts"],
        "top_k": c["num_experts_per_tok"],
        "moe_inter": c["moe_intermediate_size"] // s,
        "shared_experts": c.get("n_shared_experts", 0),
        "rms_eps": c.get("rms_norm_eps", 1e-6),
    }
    if shapes["routed_experts"] % args.ep:
        sys.exit(f"profile_moe_layer: --ep {args.ep} does not divide {shapes['routed_experts']} routed experts")
    if args.tokens % args.seq_len:
        sys.exit(f"profile_moe_layer: --tokens {args.tokens} is not a multiple of --seq-len {args.seq_len}")
    shapes["local_experts"] = shapes["routed_experts"] // args.ep
    return shapes


class RMSNorm(torch.nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        v = x.float().pow(2).mean(-1, keepdim=True)
        return (x.float() * torch.rsqrt(v + self.eps)).to(x.dtype) * self.weight


def rotate(x, cos, sin):  # rotary embedding on the last dim (pairs of halves)
    a, b = x.chunk(2, dim=-1)
    return torch.cat((a * cos - b * sin, b * cos + a * sin), dim=-1)


def attention(q, k, v, info):
    """Causal attention, [b, h, s, d]; SDPA where torch has it (2.0+), else the math form."""
    if hasattr(F, "scaled_dot_product_attention") and not info.get("force_math"):
        try:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            info.setdefault("attention", "torch.nn.functional.scaled_dot_product_attention (causal)")
            return out
        except RuntimeError as e:  # a backend refusing the 192/128 head dims: the math form below
            info["attention_sdpa_error"] = str(e).splitlines()[0][:200]
    info.setdefault("attention", "math form: softmax(q k^T / sqrt(d) + causal mask) v")
    s = q.shape[-2]
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    mask = torch.ones(s, s, dtype=torch.bool, device=q.device).triu(1)
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.matmul(torch.softmax(scores.float(), dim=-1).to(v.dtype), v)


class MoELayer(torch.nn.Module):
    def __init__(self, sh, seq_len):
        super().__init__()
        self.sh, self.seq_len = sh, seq_len
        h, hd = sh["hidden"], sh["qk_nope"] + sh["qk_rope"]
        lin = lambda i, o: torch.nn.Linear(i, o, bias=False)  # noqa: E731
        self.attn_norm, self.ffn_norm = RMSNorm(h, sh["rms_eps"]), RMSNorm(h, sh["rms_eps"])
        self.q_a, self.q_norm, self.q_b = lin(h, sh["q_lora"]), RMSNorm(sh["q_lora"], sh["rms_eps"]), lin(
            sh["q_lora"], sh["heads"] * hd)
        self.kv_a = lin(h, sh["kv_lora"] + sh["qk_rope"])
        self.kv_norm = RMSNorm(sh["kv_lora"], sh["rms_eps"])
        self.kv_b = lin(sh["kv_lora"], sh["heads"] * (sh["qk_nope"] + sh["v_head"]))
        self.o = lin(sh["heads"] * sh["v_head"], h)
        self.router = lin(h, sh["routed_experts"])
        n, i = sh["local_experts"], sh["moe_inter"]
        self.gate_up = torch.nn.ParameterList([torch.nn.Parameter(torch.randn(2 * i, h) / math.sqrt(h)) for _ in range(n)])
        self.down = torch.nn.ParameterList([torch.nn.Parameter(torch.randn(h, i) / math.sqrt(i)) for _ in range(n)])
        si = i * max(1, sh["shared_experts"])
        self.shared_gate_up, self.shared_down = lin(h, 2 * si), lin(si, h)

    def mla(self, x, info):
        sh, t = self.sh, x.shape[0]
        b, s, nh = t // self.seq_len, self.seq_len, sh["heads"]
        q = self.q_b(self.q_norm(self.q_a(x))).view(b, s, nh, -1)
        q_nope, q_pe = q.split([sh["qk_nope"], sh["qk_rope"]], dim=-1)
        kv = self.kv_a(x)
        c_kv, k_pe = kv.split([sh["kv_lora"], sh["qk_rope"]], dim=-1)
        kv = self.kv_b(self.kv_norm(c_kv)).view(b, s, nh, -1)
        k_nope, v = kv.split([sh["qk_nope"], sh["v_head"]], dim=-1)
        pos = torch.arange(s, device=x.device, dtype=torch.float32)
        freq = 10000.0 ** (-torch.arange(0, sh["qk_rope"], 2, device=x.device, dtype=torch.float32) / sh["qk_rope"])
        ang = pos[:, None] * freq[None, :]
        cos, sin = ang.cos().to(x.dtype)[None, :, None, :], ang.sin().to(x.dtype)[None, :, None, :]
        q_pe = rotate(q_pe, cos, sin)
        k_pe = rotate(k_pe.view(b, s, 1, -1), cos, sin).expand(b, s, nh, sh["qk_rope"])
        q = torch.cat((q_nope, q_pe), dim=-1).transpose(1, 2)
        k = torch.cat((k_nope, k_pe), dim=-1).transpose(1, 2)
        out = attention(q, k, v.transpose(1, 2), info)
        return self.o(out.transpose(1, 2).reshape(t, -1))

    def route(self, x):
        """Top-k of the sigmoid router scores, folded onto the local experts: (rows' token ids, local expert, weight)."""
        sh = self.sh
        scores = torch.sigmoid(self.router(x).float())
        w, idx = scores.topk(sh["top_k"], dim=-1)
        w = (w / w.sum(-1, keepdim=True)).to(x.dtype)
        token = torch.arange(x.shape[0], device=x.device).repeat_interleave(sh["top_k"])
        return token, (idx % sh["local_experts"]).flatten(), w.flatten()

    def experts(self, x, token, local, weight):
        out = torch.zeros_like(x)
        for e in range(self.sh["local_experts"]):
            rows = (local == e).nonzero(as_tuple=True)[0]
            xe = x.index_select(0, token[rows])
            g, u = F.linear(xe, self.gate_up[e]).chunk(2, dim=-1)
            ye = F.linear(F.silu(g) * u, self.down[e]) * weight[rows, None]
            out = out.index_add(0, token[rows], ye)
        return out

    def forward(self, x, info):
        h = x + self.mla(self.attn_norm(x), info)
        y = self.ffn_norm(h)
        token, local, weight = self.route(y)
        g, u = self.shared_gate_up(y).chunk(2, dim=-1)
        return h + self.experts(y, token, local, weight) + self.shared_down(F.silu(g) * u)


def fp8_probe(layer, x, args, device):
    """The FP8 expert forward GEMMs, or None and why not."""
    if args.fp8 == "off":
        return None, "off (--fp8 off)"
    if device.type != "cuda":
        return None, "skipped: not on a GPU"
    if not hasattr(torch, "_scaled_mm") or not hasattr(torch, "float8_e4m3fn"):
        return None, f"skipped: torch {torch.__version__} has no torch._scaled_mm / float8_e4m3fn"
    cc = torch.cuda.get_device_capability(device)
    if cc < (8, 9):
        return None, f"skipped: compute capability {cc[0]}.{cc[1]} < 8.9 has no FP8 GEMM"
    one = torch.ones((), device=device, dtype=torch.float32)
    fp8 = torch.float8_e4m3fn

    def scaled_mm(a, w):  # a [m, k] row-major, w [n, k] row-major -> [m, n] BF16; b must be column-major
        r = torch._scaled_mm(a, w.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
        return r[0] if isinstance(r, tuple) else r  # torch 2.1-2.4 returned (out, amax)

    weights = [(gu.detach().to(fp8), dn.detach().to(fp8)) for gu, dn in zip(layer.gate_up, layer.down)]
    rows = x.shape[0] * layer.sh["top_k"] // layer.sh["local_experts"] // 16 * 16
    xs = x.detach()[: min(rows, x.shape[0])]
    xs = xs.repeat((rows + xs.shape[0] - 1) // xs.shape[0], 1)[:rows].contiguous().to(fp8)

    def run():
        with torch.no_grad():
            for gu, dn in weights:
                g, u = scaled_mm(xs, gu).chunk(2, dim=-1)
                scaled_mm((F.silu(g) * u).to(fp8).contiguous(), dn)

    try:
        run()
        torch.cuda.synchronize(device)
    except Exception as e:  # noqa: BLE001: any refusal means "no FP8 path"; the facts say which
        return None, "failed: " + str(e).splitlines()[0][:200]
    return run, f"ran: torch._scaled_mm E4M3 x E4M3 -> BF16, per-tensor scales, {rows} rows per local expert, forward only"


# The device tool returns files of at most 16 MiB (/work/.library/device/README.md): a larger trace keeps only
# what fathom reads (docs/calibration-traces.md): GPU events, the CPU operators they link to by External id
# (their Input Dims), the ProfilerStep# annotations and deviceProperties.
MAX_TRACE_BYTES = 15 << 20


def compact_trace(path):
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    gpu_cats = {"kernel", "gpu_memcpy", "gpu_memset"}
    ext = lambda e: (e.get("args") or {}).get("External id")  # noqa: E731
    linked = {ext(e) for e in events if str(e.get("cat", "")).lower() in gpu_cats}
    kept = [e for e in events if str(e.get("cat", "")).lower() in gpu_cats or
            str(e.get("name", "")).startswith("ProfilerStep#") or (e.get("ph") == "X" and ext(e) in linked)]
    if isinstance(doc, dict):
        doc["traceEvents"] = kept
    else:
        doc = kept
    with open(path, "w") as f:
        json.dump(doc, f)
    return f"{len(events)} events -> {len(kept)} (over {MAX_TRACE_BYTES >> 20} MiB: kept what fathom reads)"


def main():
    args = parse_args()
    sh = read_shapes(args)
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("profile_moe_layer: --device cuda but torch.cuda.is_available() is False (use --device cpu)")
    device = torch.device(args.device)
    dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[args.dtype or ("bf16" if args.device == "cuda" else "fp32")]
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    info = {}
    layer = MoELayer(sh, args.seq_len).to(device=device, dtype=dtype)
    x = torch.randn(args.tokens, sh["hidden"], device=device, dtype=dtype, requires_grad=True)
    fp8_run, fp8_note = fp8_probe(layer, x, args, device)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    def step():
        layer.zero_grad(set_to_none=True)
        x.grad = None
        layer(x, info).float().pow(2).mean().backward()
        if fp8_run:
            fp8_run()

    times = []
    try:  # the first step also runs SDPA's backward: a backend refusing the 192/128 head dims shows here
        step()
        sync()
    except RuntimeError as e:
        info.update(force_math=True, attention_sdpa_error="backward: " + str(e).splitlines()[0][:200])
        info.pop("attention", None)
        step()
    for _ in range(args.warmup - 1):
        step()
    sync()
    from torch.profiler import ProfilerActivity, profile, schedule

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    trace = os.path.join(args.out, "moe-layer-trace.json")
    with profile(activities=activities, schedule=schedule(wait=0, warmup=1, active=args.steps), record_shapes=True,
                 on_trace_ready=lambda p: p.export_chrome_trace(trace)) as prof:
        for _ in range(args.steps + 1):
            sync()
            t0 = time.perf_counter()
            step()
            sync()
            times.append(time.perf_counter() - t0)
            prof.step()
    compacted = compact_trace(trace) if os.path.getsize(trace) > MAX_TRACE_BYTES else None
    facts = {
        "format": "fathom-profile-facts/1",
        "script": "calib/profile_moe_layer.py",
        "torch_version": torch.__version__,
        "cuda_version": torch.version.cuda,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "dtype": str(dtype).replace("torch.", ""),
        "config": os.path.relpath(args.config),
        "scale_down": args.scale_down,
        "shapes": sh,
        "ep": args.ep,
        "tokens_per_gpu": args.tokens,
        "sequence_length": args.seq_len,
        "expert_rows_per_gpu": args.tokens * sh["top_k"],
        "all_to_all": "none: one GPU; the local experts' tokens are emulated (each own token's top-k folded onto "
                      "the local experts), the dispatch/combine are absent",
        "attention": info.get("attention"),
        "attention_sdpa_error": info.get("attention_sdpa_error"),
        "fp8_expert_gemms": fp8_note,
        "warmup_steps": args.warmup,
        "profiled_steps": args.steps,
        "step_wall_s": times[1:],  # the first timed step is the profiler's warm-up
        "trace": os.path.basename(trace),
        "trace_bytes": os.path.getsize(trace) if os.path.exists(trace) else 0,
        "trace_compacted": compacted,
    }
    if device.type == "cuda":
        facts["max_memory_allocated_bytes"] = torch.cuda.max_memory_allocated(device)
    with open(os.path.join(args.out, "moe-layer-facts.json"), "w") as f:
        json.dump(facts, f, indent=2)
        f.write("\n")
    print(json.dumps({k: facts[k] for k in ("torch_version", "device", "attention", "fp8_expert_gemms",
                                            "step_wall_s", "trace_bytes")}))


if __name__ == "__main__":
    main()
