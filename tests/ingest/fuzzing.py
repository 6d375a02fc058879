"""Shared hypothesis strategy: a real sample export, damaged the ways files get damaged."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def corrupted(draw: st.DrawFn, samples: dict[str, bytes], fragments: st.SearchStrategy[bytes]
              ) -> tuple[str, bytes]:
    """(file name, bytes): a sample with bytes flipped, cut, inserted (random bytes or
    format-shaped ``fragments``), truncated or repeated."""
    name = draw(st.sampled_from(sorted(samples)))
    data = bytearray(samples[name])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "repeat"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20) | fragments)
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = bytes(data[at:at + draw(st.integers(1, 200))])
    return name, bytes(data)
