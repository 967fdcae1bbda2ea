import torch
from torch import nn


class Siamese(nn.Module):
    """One encoder applied to two inputs; the distance goes to a head."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 8))
        self.head = nn.Linear(8, 1)

    def forward(self, a, b):
        ea = self.encoder(a)
        eb = self.encoder(b)
        return self.head(torch.abs(ea - eb))


model = Siamese()
out = model(torch.randn(5, 20), torch.randn(5, 20))
