#!/usr/bin/env python3
# Writes python_vectors.json: what CPython (the server's Python, 3.13) answers for int(), float(), str(), bool() and repr() of
# JSON values. Run it with the server's Python: the SDK's Python semantics are tested against its output.
import json, sys, math
texts = ["0", "42", " 42 ", "\t7\n", "+5", "-5", "- 5", "4_2", "4__2", "_42", "42_", "0_7", "007", "20.7", "1e3", "abc", "", " ",
         "\u0661\u0662", "\uff11\uff12", "\u00a042\u00a0", "\u200b42", "\x1c5", "0x10", "1_000.5", "1._5", ".5", "5.", ".", "e5", "1e",
         "1e-5", "1E+16", "inf", "-Infinity", "+iNf", "nan", "-NaN", "infinity ", "in f", "1e400", "-1e400", "1e-400",
         "9" * 30, "1" + "0" * 308, "0.1", "0.30000000000000004", "123456789012345678", "\u00e9", "a'b", 'a"b', "a'b\"c", "\\",
         "\x00", "\x7f", "\x80", "\xa0", "\xad", "\u2028", "\U0001f600", "\ud800", "\u0378", "\ue000", "caf\u00e9 \u2603",
         "x" * 250, "'" * 3, "line\nbreak", "tab\there", "cr\rhere"]
floats = [0.0, -0.0, 1.0, 0.1, 1e-05, 0.0001, 1e16, 1e15, 123456789012345678.0, 1.5e300, 5e-324, 2.5, 1e22, 1e21, 12345.678,
          float("inf"), float("-inf"), 1/3, 2**53 + 0.0, 100.0, 0.5, 1e-7, 9.999999999999999e-05]
ints = [0, -1, 2**63 - 1, 2**64 - 1, 2**64, -(2**63) - 1, 10**400]
def attempt(f, x):
    try:
        r = f(x)
        return {"value": repr(r), "type": type(r).__name__}
    except Exception as e:
        return {"error": type(e).__name__, "message": str(e)}
out = {"python": sys.version.split()[0], "texts": [], "floats": [], "ints": []}
for t in texts:
    out["texts"].append({"input": t, "int": attempt(int, t), "float": attempt(float, t), "repr": repr(t), "bool": bool(t)})
for f in floats:
    out["floats"].append({"input": f if math.isfinite(f) else repr(f), "repr": repr(f), "int": attempt(int, f), "str": str(f)})
for i in ints:
    out["ints"].append({"input": str(i), "float": attempt(float, i), "repr": repr(i)})
json.dump(out, open(sys.argv[1], "w"), indent=1, ensure_ascii=True)
print(len(texts), len(floats), len(ints))
