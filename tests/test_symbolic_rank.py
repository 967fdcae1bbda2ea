"""A model nobody calls runs on a symbolic input laid out as its first layer expects.  For a
Linear or an Embedding first, that layout's rank is a guess (both take any number of leading
dimensions): an issue is reported only when it also appears with more leading dimensions."""

from __future__ import annotations

import textwrap

from shapelint.analysis import Settings, analyze_bytes


def codes(src: str):
    r = analyze_bytes("m.py", textwrap.dedent(src).encode(), Settings(), force=True)
    return [(d.code, d.span.line) for d in r.diagnostics]


def test_a_forward_written_for_4d_input_is_not_judged_on_a_2d_guess():
    # found on diffusers: forward unpacks four sizes and concatenates on dim 2, which a
    # 2-D guess (N, 64) would call a rank error
    src = """
        import torch
        from torch import nn


        class Pooler(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Linear(64, 128)
                self.token = nn.Parameter(torch.zeros(1, 1, 1, 128))

            def forward(self, x):
                b, p, s, _ = x.shape
                x = self.embed(x)
                tok = self.token.expand(b, p, -1, -1)
                return torch.cat([tok, x], dim=2)
        """
    assert codes(src) == []


def test_a_mismatch_at_every_rank_is_still_reported():
    src = """
        import torch
        from torch import nn


        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(10, 20)
                self.fc2 = nn.Linear(30, 5)

            def forward(self, x):
                return self.fc2(torch.relu(self.fc1(x)))
        """
    assert codes(src) == [("SL107", 10)]


def test_an_embedding_first_model_keeps_rank_independent_findings():
    src = """
        import torch
        from torch import nn


        class Tagger(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(100, 32)
                self.norm = nn.LayerNorm(16)

            def forward(self, ids):
                return self.norm(self.emb(ids))
        """
    assert codes(src) == [("SL109", 10)]


def test_a_flatten_that_only_fits_the_2d_guess_is_not_reported():
    # (N, 8) -> view(-1, 4, 2) works for any leading dims; view(N, 16) does not at (N, S, 8)
    # but nothing says the input is 2-D: no report either way
    src = """
        import torch
        from torch import nn


        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)

            def forward(self, x):
                y = self.fc(x)
                return y.reshape(y.shape[0], 2, 4, 1, 1, 1, 1, 1, 3)
        """
    assert codes(src) == []
