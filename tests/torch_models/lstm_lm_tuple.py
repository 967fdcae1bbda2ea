import torch
import torch.nn as nn


class LM(nn.Module):
    def __init__(self, vocab=100, emb=32, hidden=48, layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(emb, hidden, num_layers=layers, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens):
        x = self.embed(tokens)
        x, (h, c) = self.rnn(x)
        return self.out(x)


model = LM()
logits = model(torch.zeros(3, 7, dtype=torch.long))
