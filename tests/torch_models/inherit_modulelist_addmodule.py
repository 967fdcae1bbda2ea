from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, pool=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.bn = nn.BatchNorm2d(cout)
        self.pool = nn.MaxPool2d(2) if pool else nn.Identity()

    def forward(self, x):
        return self.pool(F.relu(self.bn(self.conv(x))))


class Base(nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.stem = nn.Sequential(OrderedDict([("conv", nn.Conv2d(3, width, 3)), ("act", nn.ReLU())]))


class Net(Base):
    def __init__(self, width=8, depth=3, classes=10):
        super().__init__(width)
        self.blocks = nn.ModuleList()
        c = width
        for i in range(depth):
            self.blocks.append(Block(c, c * 2, pool=i < 2))
            c *= 2
        self.add_module("head", nn.Linear(c, classes))
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        x = self.stem(x)
        for blk in self.blocks:
            x = blk(x)
        x = x.mean(dim=(2, 3))
        x = self.drop(x)
        x = self.drop(x)
        return self.head(x)


model = Net()
out = model(torch.randn(2, 3, 34, 34))
