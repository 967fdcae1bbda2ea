"""The Keras front-end (``shapelint/frontends/keras.py``): every way model code spells Keras.

Expected shapes and parameter counts of the Keras 3 cases come from real Keras 3 (torch
backend; computed once with throwaway scripts, ``tf.keras`` spellings run with Keras 3 as
``tensorflow.keras``).  The Keras 1/2 cases cannot run on Keras 3: their values are worked
out by hand from Keras semantics in the comments next to them.
"""

from __future__ import annotations

import textwrap

import pytest

from shapelint.analysis import Settings, analyze_bytes


def analyze(src: str, **kw):
    return analyze_bytes("model.py", textwrap.dedent(src).encode(), Settings(), **kw)


def errors(result):
    return [d for d in result.diagnostics if d.severity == "error"]


def model_named(result, variable="model"):
    found = [m for m in result.models if m.variable == variable]
    assert found, [(m.name, m.variable) for m in result.models]
    return found[-1]


def rows(model):
    out = []
    for r in model.layers:
        shape = r.output_shape
        if isinstance(shape, list):
            shape = [list(s) if s is not None else None for s in shape]
        elif shape is not None:
            shape = list(shape)
        out.append((r.type, shape, r.params))
    return out


# --------------------------------------------------------------------------- Keras 3 forms
# (source, rows as (type, output shape, params), total params, trainable params)

KERAS3_CASES = {
    'import_keras': (
        """
import keras

model = keras.Sequential(
    [
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ]
)
""",
        [
            ('Conv2D', [None, 26, 26, 8], 80),
            ('MaxPooling2D', [None, 13, 13, 8], 0),
            ('Flatten', [None, 1352], 0),
            ('Dense', [None, 10], 13530),
        ],
        13610,
        13610,
    ),
    'from_keras_import_layers': (
        """
from keras import layers, models

model = models.Sequential()
model.add(layers.Input(shape=(32,)))
model.add(layers.Dense(16, activation="relu"))
model.add(layers.Dense(4))
""",
        [
            ('Dense', [None, 16], 528),
            ('Dense', [None, 4], 68),
        ],
        596,
        596,
    ),
    'from_keras_layers_import_names': (
        """
from keras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from keras.models import Model

inp = Input(shape=(32, 32, 3))
x = Conv2D(16, (3, 3), padding="same")(inp)
x = MaxPooling2D(pool_size=(2, 2))(x)
x = Flatten()(x)
out = Dense(5)(x)
model = Model(inputs=inp, outputs=out)
""",
        [
            ('Conv2D', [None, 32, 32, 16], 448),
            ('MaxPooling2D', [None, 16, 16, 16], 0),
            ('Flatten', [None, 4096], 0),
            ('Dense', [None, 5], 20485),
        ],
        20933,
        20933,
    ),
    'from_tensorflow_import_keras': (
        """
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(100,), name="tokens")
x = layers.Embedding(1000, 16)(inputs)
x = layers.GlobalAveragePooling1D()(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
""",
        [
            ('Embedding', [None, 100, 16], 16000),
            ('GlobalAveragePooling1D', [None, 16], 0),
            ('Dense', [None, 1], 17),
        ],
        16017,
        16017,
    ),
    'tf_keras_attribute_paths': (
        """
import tensorflow as tf

model = tf.keras.Sequential(
    [
        tf.keras.layers.InputLayer(shape=(10, 8)),
        tf.keras.layers.LSTM(16, return_sequences=True),
        tf.keras.layers.LSTM(8),
        tf.keras.layers.Dense(3),
    ]
)
""",
        [
            ('LSTM', [None, 10, 16], 1600),
            ('LSTM', [None, 8], 800),
            ('Dense', [None, 3], 27),
        ],
        2427,
        2427,
    ),
    'tensorflow_star_import': (
        """
from tensorflow.keras.layers import *
from tensorflow.keras.models import Sequential

model = Sequential()
model.add(Input((64, 64, 3)))
model.add(Conv2D(8, 5, strides=2, padding="same"))
model.add(BatchNormalization())
model.add(Activation("relu"))
model.add(GlobalMaxPooling2D())
model.add(Dense(2))
""",
        [
            ('Conv2D', [None, 32, 32, 8], 608),
            ('BatchNormalization', [None, 32, 32, 8], 32),
            ('Activation', [None, 32, 32, 8], 0),
            ('GlobalMaxPooling2D', [None, 8], 0),
            ('Dense', [None, 2], 18),
        ],
        658,
        642,
    ),
    'import_keras_as_K': (
        """
import keras as K

a = K.Input((12,))
h = K.layers.Dense(6, use_bias=False)(a)
model = K.Model(a, h)
""",
        [
            ('Dense', [None, 6], 72),
        ],
        72,
        72,
    ),
    'layers_as_L': (
        """
import keras
from keras import layers as L

model = keras.Sequential([keras.Input((16, 4)), L.Conv1D(6, 3), L.GlobalAveragePooling1D(), L.Dense(2)])
""",
        [
            ('Conv1D', [None, 14, 6], 78),
            ('GlobalAveragePooling1D', [None, 6], 0),
            ('Dense', [None, 2], 14),
        ],
        92,
        92,
    ),
    'keras_src_paths': (
        """
from keras.src import layers
from keras.src.layers import Dense
from keras.src.models import Functional

inp = layers.Input((7,))
out = Dense(3)(layers.Dense(5)(inp))
model = Functional(inp, out)
""",
        [
            ('Dense', [None, 5], 40),
            ('Dense', [None, 3], 18),
        ],
        58,
        58,
    ),
    'first_layer_input_shape': (
        """
import keras
from keras import layers

model = keras.models.Sequential()
model.add(layers.Dense(32, activation="relu", input_shape=(16,)))
model.add(layers.Dense(1))
""",
        [
            ('Dense', [None, 32], 544),
            ('Dense', [None, 1], 33),
        ],
        577,
        577,
    ),
    'sequential_layers_keyword_and_build': (
        """
import keras
from keras import layers

model = keras.Sequential(layers=[layers.Dense(8), layers.Dense(2)])
model.build((None, 5))
""",
        [
            ('Dense', [None, 8], 48),
            ('Dense', [None, 2], 18),
        ],
        66,
        66,
    ),
    'nested_sequential_and_model_as_layer': (
        """
import keras
from keras import layers

block = keras.Sequential([layers.Dense(8, activation="relu"), layers.Dense(8)], name="block")
enc_in = keras.Input((8,))
encoder = keras.Model(enc_in, layers.Dense(4)(enc_in), name="encoder")

inputs = keras.Input((10,))
x = block(inputs)
x = encoder(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
""",
        [
            ('Sequential', [None, 8], 160),
            ('Functional', [None, 4], 36),
            ('Dense', [None, 1], 5),
        ],
        201,
        201,
    ),
    'shared_layers': (
        """
import keras
from keras import layers

left = keras.Input((20,))
right = keras.Input((20,))
shared = layers.Dense(8, activation="relu")
merged = layers.concatenate([shared(left), shared(right)])
out = layers.Dense(1)(merged)
model = keras.Model([left, right], out)
""",
        [
            ('Dense', [None, 8], 168),
            ('Concatenate', [None, 16], 0),
            ('Dense', [None, 1], 17),
        ],
        185,
        185,
    ),
    'merge_functions': (
        """
import keras
from keras import layers

a = keras.Input((6,))
b = keras.Input((6,))
s = layers.add([a, b])
d = layers.subtract([a, b])
m = layers.multiply([a, b])
v = layers.average([a, b])
mx = layers.maximum([a, b])
mn = layers.minimum([a, b])
dt = layers.dot([a, b], axes=1)
c = layers.concatenate([s, d, m, v, mx, mn, dt], axis=-1)
model = keras.Model(inputs=[a, b], outputs=c)
""",
        [
            ('Add', [None, 6], 0),
            ('Subtract', [None, 6], 0),
            ('Multiply', [None, 6], 0),
            ('Average', [None, 6], 0),
            ('Maximum', [None, 6], 0),
            ('Minimum', [None, 6], 0),
            ('Dot', [None, 1], 0),
            ('Concatenate', [None, 37], 0),
        ],
        0,
        0,
    ),
    'multi_output_keyword': (
        """
import keras
from keras import layers

image = keras.Input((32, 32, 3), name="image")
meta = keras.Input((5,), name="meta")
x = layers.Conv2D(4, 3)(image)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Concatenate()([x, meta])
cls = layers.Dense(3, name="cls")(x)
reg = layers.Dense(1, name="reg")(x)
model = keras.Model(inputs=[image, meta], outputs=[cls, reg])
""",
        [
            ('Conv2D', [None, 30, 30, 4], 112),
            ('GlobalAveragePooling2D', [None, 4], 0),
            ('Concatenate', [None, 9], 0),
            ('Dense', [None, 3], 30),
            ('Dense', [None, 1], 10),
        ],
        152,
        152,
    ),
    'multi_output_positional': (
        """
import keras
from keras import layers

seq = keras.Input((None, 8))
h, state_h, state_c = layers.LSTM(12, return_state=True)(seq)
y = layers.Dense(2)(h)
model = keras.Model(seq, [y, state_h])
""",
        [
            ('LSTM', [[None, 12], [None, 12], [None, 12]], 1008),
            ('Dense', [None, 2], 26),
        ],
        1034,
        1034,
    ),
    'custom_layer': (
        """
import keras
from keras import layers, ops


class Scale(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        self.count = self.add_weight(shape=(), trainable=False, initializer="zeros")

    def call(self, x):
        return x * self.gamma


class Residual(layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.inner = layers.Dense(units)
        self.norm = layers.LayerNormalization()

    def call(self, x):
        return self.norm(x + self.inner(x))


inputs = keras.Input((6, 16))
x = Residual(16)(inputs)
x = Scale()(x)
x = ops.mean(x, axis=1)
outputs = layers.Dense(2)(x)
model = keras.Model(inputs, outputs)
""",
        [
            ('Residual', [None, 6, 16], 304),
            ('Scale', [None, 6, 16], 17),
            ('Dense', [None, 2], 34),
        ],
        355,
        354,
    ),
    'text_model': (
        """
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input((None,), dtype="int64"),
        layers.Embedding(5000, 32),
        layers.Bidirectional(layers.GRU(16, return_sequences=True)),
        layers.TimeDistributed(layers.Dense(4)),
        layers.GlobalMaxPooling1D(),
        layers.Dense(1),
    ]
)
""",
        [
            ('Embedding', [None, None, 32], 160000),
            ('Bidirectional', [None, None, 32], 4800),
            ('TimeDistributed', [None, None, 4], 132),
            ('GlobalMaxPooling1D', [None, 4], 0),
            ('Dense', [None, 1], 5),
        ],
        164937,
        164937,
    ),
}


@pytest.mark.parametrize("case", sorted(KERAS3_CASES))
def test_keras3_forms_match_real_keras(case):
    src, expected_rows, total, trainable = KERAS3_CASES[case]
    result = analyze(src)
    assert errors(result) == []
    model = model_named(result)
    assert rows(model) == expected_rows
    assert model.total_params == total
    assert model.trainable_params == trainable
    assert model.resolved


def test_shared_layer_is_one_layer_with_two_calls():
    result = analyze(KERAS3_CASES["shared_layers"][0])
    model = model_named(result)
    dense = [r for r in model.layers if r.type == "Dense"]
    assert len(dense) == 2  # the shared one (listed once) and the head
    assert model.total_params == 185  # 168 counted once


# --------------------------------------------------------------------------- Keras 1/2 spellings


LEGACY_CONV2D = """
from keras.models import Sequential
from keras.layers import Convolution2D, MaxPooling2D, Flatten, Dense, Activation

model = Sequential()
model.add(Convolution2D(32, 3, 3, border_mode="same", input_shape=(32, 32, 3)))
model.add(Activation("relu"))
model.add(Convolution2D(64, 3, 3, subsample=(2, 2)))
model.add(MaxPooling2D())
model.add(Flatten())
model.add(Dense(output_dim=10, init="glorot_uniform"))
"""


def test_legacy_convolution2d_nb_row_nb_col_border_mode_subsample():
    model = model_named(analyze(LEGACY_CONV2D))
    assert model.resolved
    assert rows(model) == [
        # 3x3 kernel, "same": 32x32 kept; 3*3*3*32 + 32 = 896
        ("Conv2D", [None, 32, 32, 32], 896),
        ("Activation", [None, 32, 32, 32], 0),
        # subsample=(2, 2), border_mode "valid": (32 - 3) // 2 + 1 = 15; 3*3*32*64 + 64
        ("Conv2D", [None, 15, 15, 64], 18496),
        # MaxPooling2D defaults: pool (2, 2), strides = pool, valid: 15 // 2 = 7
        ("MaxPooling2D", [None, 7, 7, 64], 0),
        ("Flatten", [None, 3136], 0),
        # output_dim is Keras 1's units: 3136*10 + 10
        ("Dense", [None, 10], 31370),
    ]
    assert model.total_params == 50762


LEGACY_1D = """
from keras.models import Sequential
from keras.layers.convolutional import Convolution1D, MaxPooling1D, Convolution2D, MaxPooling2D
from keras.layers.core import Dense, Flatten
from keras.layers.embeddings import Embedding
from keras.layers.recurrent import LSTM

model = Sequential()
model.add(Convolution1D(nb_filter=64, filter_length=3, border_mode="valid", activation="relu", input_dim=100, input_length=50))
model.add(MaxPooling1D(pool_length=2))
model.add(Flatten())
model.add(Dense(1, W_regularizer=None))

emb = Sequential()
emb.add(Embedding(input_dim=1000, output_dim=64, input_length=10))
emb.add(LSTM(16))

th = Sequential()
th.add(Convolution2D(8, 3, 3, input_shape=(3, 32, 32), dim_ordering="th"))
th.add(MaxPooling2D(pool_size=(2, 2), dim_ordering="th"))

mlp = Sequential()
mlp.add(Dense(32, input_dim=784))
mlp.add(Dense(output_dim=10))

rnn = Sequential()
rnn.add(LSTM(16, batch_input_shape=(8, 10, 4)))
"""


def test_legacy_conv1d_input_dim_input_length_pool_length():
    result = analyze(LEGACY_1D)
    assert errors(result) == []
    model = model_named(result, "model")
    assert rows(model) == [
        # input_dim=100, input_length=50 -> input (50, 100); valid 3-wide: 48; 3*100*64 + 64
        ("Conv1D", [None, 48, 64], 19264),
        ("MaxPooling1D", [None, 24, 64], 0),
        ("Flatten", [None, 1536], 0),
        ("Dense", [None, 1], 1537),
    ]


def test_legacy_embedding_input_length_and_lstm():
    emb = model_named(analyze(LEGACY_1D), "emb")
    # Embedding's output_dim stays output_dim; LSTM: 4 * ((64 + 16) * 16 + 16)
    assert rows(emb) == [("Embedding", [None, 10, 64], 64000), ("LSTM", [None, 16], 5184)]


def test_legacy_dim_ordering_th_is_channels_first():
    th = model_named(analyze(LEGACY_1D), "th")
    assert rows(th) == [("Conv2D", [None, 8, 30, 30], 224), ("MaxPooling2D", [None, 8, 15, 15], 0)]


def test_legacy_dense_input_dim_and_output_dim():
    mlp = model_named(analyze(LEGACY_1D), "mlp")
    assert rows(mlp) == [("Dense", [None, 32], 25120), ("Dense", [None, 10], 330)]


def test_legacy_batch_input_shape_gives_the_batch_size():
    rnn = model_named(analyze(LEGACY_1D), "rnn")
    # batch_input_shape=(8, 10, 4): batch 8, 10 steps of 4 features; 4 * ((4 + 16) * 16 + 16)
    assert rows(rnn) == [("LSTM", [8, 16], 1344)]


def test_legacy_aliases():
    src = """
    from keras.models import Sequential
    from keras.layers import MaxPool2D, AvgPool2D, GlobalAvgPool2D, Convolution2D, Dense
    model = Sequential()
    model.add(Convolution2D(4, 5, 5, input_shape=(20, 20, 1)))
    model.add(MaxPool2D())
    model.add(AvgPool2D(pool_size=2))
    model.add(GlobalAvgPool2D())
    model.add(Dense(2))
    """
    model = model_named(analyze(src))
    # 20 - 5 + 1 = 16 -> 8 -> 4; 5*5*1*4 + 4 = 104; 4*2 + 2 = 10
    assert rows(model) == [
        ("Conv2D", [None, 16, 16, 4], 104),
        ("MaxPooling2D", [None, 8, 8, 4], 0),
        ("AveragePooling2D", [None, 4, 4, 4], 0),
        ("GlobalAveragePooling2D", [None, 4], 0),
        ("Dense", [None, 2], 10),
    ]


# --------------------------------------------------------------------------- builders, --model, --input


BUILDER = """
import keras
from keras import layers


def build_model(input_shape=(28, 28, 1), num_classes=10, filters=(16, 32)):
    inputs = keras.Input(input_shape)
    x = inputs
    for f in filters:
        x = layers.Conv2D(f, 3, activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(num_classes)(x)
    return keras.Model(inputs, outputs, name="cnn")
"""


def test_builder_function_analysed_with_defaults():
    result = analyze(BUILDER)
    assert len(result.models) == 1
    model = result.models[0]
    assert model.name == "cnn" and model.resolved
    assert rows(model) == [
        ("Conv2D", [None, 26, 26, 16], 160),
        ("MaxPooling2D", [None, 13, 13, 16], 0),
        ("Conv2D", [None, 11, 11, 32], 4640),
        ("MaxPooling2D", [None, 5, 5, 32], 0),
        ("Flatten", [None, 800], 0),
        ("Dense", [None, 10], 8010),
    ]
    assert model.total_params == 12810


def test_model_expression_selects_a_builder_call():
    result = analyze(BUILDER, model_expr="build_model(num_classes=3, filters=(8,))")
    assert len(result.models) == 1
    model = result.models[0]
    assert rows(model) == [
        ("Conv2D", [None, 26, 26, 8], 80),
        ("MaxPooling2D", [None, 13, 13, 8], 0),
        ("Flatten", [None, 1352], 0),
        ("Dense", [None, 3], 4059),
    ]
    assert model.total_params == 4139


def test_model_expression_selects_a_variable():
    src = BUILDER + "\nsmall = build_model(filters=(4,))\nbig = build_model()\n"
    result = analyze(src, model_expr="small")
    assert [m.total_params for m in result.models] == [6810]  # 40 + (13*13*4*10 + 10)


def test_input_override_replaces_the_declared_input():
    result = analyze(BUILDER, inputs=[(64, 64, 1)])
    model = result.models[0]
    assert [r.output_shape for r in model.layers][-2:] == [(None, 6272), (None, 10)]
    assert model.total_params == 67530


def test_input_override_builds_a_sequential_without_input():
    src = """
    import keras
    from keras import layers
    model = keras.Sequential([layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(2)])
    """
    model = model_named(analyze(src, inputs=[(10, 10, 3)]))
    assert rows(model) == [("Conv2D", [None, 8, 8, 8], 224), ("Flatten", [None, 512], 0), ("Dense", [None, 2], 1026)]


def test_builder_with_required_arguments_is_unresolved_and_silent():
    src = """
    import keras
    from keras import layers

    def make(input_dim, units, classes):
        inputs = keras.Input((input_dim,))
        x = layers.Dense(units)(inputs)
        x = layers.Reshape((units, 1))(x)
        x = layers.Conv1D(classes, 3)(x)
        return keras.Model(inputs, x)
    """
    result = analyze(src)
    assert result.diagnostics == []
    assert [m.resolved for m in result.models] == [False]


APPLICATION = """
import keras
from keras import backend, layers
from keras.src.applications import imagenet_utils


def Tiny(include_top=True, weights=None, input_shape=None, classes=10):
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=33,
        min_size=32,
        data_format=backend.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input = layers.Input(shape=input_shape)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(img_input, 3))(img_input)
    x = layers.Conv2D(8, 3, strides=2)(x)
    if include_top:
        x = layers.Flatten()(x)
        x = layers.Dense(classes)(x)
    else:
        x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(img_input, x, name="tiny")
"""


def test_application_builder_helpers():
    model = analyze(APPLICATION).models[0]
    assert model.resolved
    assert rows(model) == [
        ("ZeroPadding2D", [None, 35, 35, 3], 0),
        ("Conv2D", [None, 17, 17, 8], 224),
        ("Flatten", [None, 2312], 0),
        ("Dense", [None, 10], 23130),
    ]
    notop = analyze(APPLICATION, model_expr="Tiny(include_top=False, input_shape=(40, 48, 3))").models[0]
    assert rows(notop) == [
        ("ZeroPadding2D", [None, 41, 49, 3], 0),
        ("Conv2D", [None, 20, 24, 8], 224),
        ("GlobalAveragePooling2D", [None, 8], 0),
    ]


def test_application_builder_rejected_input_shape_is_unknown_not_guessed():
    # Keras raises for include_top=True with imagenet weights and another size
    result = analyze(APPLICATION, model_expr="Tiny(weights='imagenet', input_shape=(64, 64, 3))")
    assert errors(result) == []
    assert not result.models[0].resolved


# --------------------------------------------------------------------------- tensors, custom layers


OPS = """
import keras
from keras import layers, ops


class Patches(layers.Layer):
    def __init__(self, patch_size, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size

    def call(self, images):
        shape = ops.shape(images)
        patches = ops.image.extract_patches(images, size=self.patch_size)
        return ops.reshape(patches, (shape[0], -1, self.patch_size * self.patch_size * shape[-1]))


inputs = keras.Input((32, 32, 3))
p = Patches(8)(inputs)
x = layers.Dense(16)(p)
first = x[:, 0, :]
rest = x[:, 1:]
pooled = ops.mean(rest, axis=1)
both = ops.concatenate([first, pooled], axis=-1)
t = ops.transpose(x, (0, 2, 1))
y = layers.Dense(4)(both)
z = layers.Dense(2)(ops.expand_dims(t, -1))
model = keras.Model(inputs, [y, z])
"""


def test_ops_slicing_and_a_custom_layer_reshaping_with_the_batch_size():
    model = model_named(analyze(OPS))
    assert model.resolved
    assert rows(model) == [
        ("Patches", [None, 16, 192], 0),
        ("Dense", [None, 16, 16], 3088),
        ("Dense", [None, 4], 132),
        ("Dense", [None, 16, 16, 2], 4),
    ]
    assert model.total_params == 3224


def test_custom_layer_with_unknown_weight_shape_is_unresolved():
    src = """
    import sys
    import keras
    from keras import layers

    class Bias(layers.Layer):
        def build(self, input_shape):
            self.b = self.add_weight(shape=(int(sys.argv[1]),))

        def call(self, x):
            return x

    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Dense(2)(Bias()(inputs)))
    """
    result = analyze(src)
    assert errors(result) == []
    model = model_named(result)
    assert not model.resolved and model.total_params is None


def test_unknown_callable_on_a_tensor_keeps_the_graph_but_is_unresolved():
    src = """
    import keras
    import tensorflow_addons as tfa
    from keras import layers

    inputs = keras.Input((16,))
    x = tfa.layers.WeightNormalization(layers.Dense(8))(inputs)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    """
    result = analyze(src)
    assert errors(result) == []
    model = model_named(result)
    assert not model.resolved
    assert [r.type for r in model.layers] == ["Dense"]


def test_global_channels_first():
    src = """
    import keras
    from keras import layers

    keras.backend.set_image_data_format("channels_first")
    model = keras.Sequential([keras.Input((3, 16, 16)), layers.Conv2D(4, 3), layers.MaxPooling2D(), layers.Flatten(), layers.Dense(2)])
    """
    assert rows(model_named(analyze(src))) == [
        ("Conv2D", [None, 4, 14, 14], 112),
        ("MaxPooling2D", [None, 4, 7, 7], 0),
        ("Flatten", [None, 196], 0),
        ("Dense", [None, 2], 394),
    ]


# --------------------------------------------------------------------------- precision


def test_unknown_sizes_silence_checks():
    src = """
    import sys
    import keras
    from keras import layers

    n = int(sys.argv[1])
    shape = tuple(int(v) for v in sys.argv[2:])
    inputs = keras.Input(shape)
    a = layers.Dense(n)(inputs)
    b = layers.Dense(8)(inputs)
    c = layers.Add()([a, b])
    d = layers.Reshape((n, -1))(c)
    e = layers.Conv1D(4, n)(d)
    f = layers.concatenate([a, layers.Dense(3)(inputs)], axis=1)
    model = keras.Model(inputs, [e, f])
    """
    result = analyze(src)
    assert result.diagnostics == []
    assert not model_named(result).resolved


def test_positive_controls_are_reported():
    src = """
    import keras
    from keras import layers

    inputs = keras.Input((10, 8))
    a = layers.Dense(4)(inputs)
    b = layers.Dense(6)(inputs)
    c = layers.concatenate([a, b], axis=1)
    d = layers.Reshape((7, 7))(inputs)
    model = keras.Model(inputs, [c, d])
    """
    codes = sorted((d.code, d.span.line) for d in errors(analyze(src)))
    assert codes == [("SL101", 8), ("SL104", 9)]


def test_tf_comparison_on_known_sizes_is_a_known_condition():
    # tf.math.equal on plain ints decides the branch: no speculative Add of mismatched maps
    src = """
    import tensorflow as tf
    from tensorflow import keras
    from tensorflow.keras import layers

    def block(x, filters, strides):
        m = layers.Conv2D(filters, 3, strides=strides, padding="same")(x)
        if tf.math.equal(x.shape[-1], filters) and strides == 1:
            return layers.Add()([m, x])
        return m

    inputs = keras.Input((32, 32, 16))
    x = block(inputs, 24, 2)
    x = block(x, 24, 1)
    model = keras.Model(inputs, x)
    """
    result = analyze(src)
    assert errors(result) == []
    assert [r.type for r in model_named(result).layers] == ["Conv2D", "Conv2D", "Add"]


# --------------------------------------------------------------------------- keras.applications in user code


def _have_keras_applications() -> bool:
    from shapelint.frontends.keras import application_source

    return application_source("MobileNetV2") is not None


needs_keras_source = pytest.mark.skipif(
    not _have_keras_applications(), reason="the installed Keras's application source is not available"
)


@needs_keras_source
def test_application_on_an_input_tensor_and_frozen():
    src = """
    import keras
    from keras import layers

    inputs = layers.Input(shape=(160, 160, 3))
    x = layers.Rescaling(scale=1.0 / 127.5, offset=-1)(inputs)
    base = keras.applications.MobileNetV2(include_top=False, weights="imagenet", input_tensor=x)
    base.trainable = False
    x = layers.GlobalAveragePooling2D(name="avg_pool")(base.output)
    outputs = layers.Dense(5, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    """
    result = analyze(src)
    assert errors(result) == []
    model = model_named(result)
    # real Keras: the outer model lists the 156 layers (MobileNetV2's own included)
    assert len(model.layers) == 156
    assert model.total_params == 2_264_389
    assert model.trainable_params == 6_405  # base.trainable = False froze its layers
    assert model.resolved


@needs_keras_source
def test_application_as_a_nested_model_and_get_layer():
    src = """
    import keras
    from keras import layers

    backbone = keras.applications.ResNet50(include_top=False, weights=None, input_shape=(128, 128, 3), pooling="avg")
    inp = keras.Input((128, 128, 3))
    y = keras.applications.resnet50.preprocess_input(inp)
    y = backbone(y, training=False)
    model = keras.Model(inp, layers.Dense(2)(y))

    v2 = keras.applications.ResNet50V2(weights=None, include_top=False, input_shape=(96, 96, 3))
    layer = v2.get_layer(name="conv3_block4_out")
    features = keras.Model(inputs=v2.inputs, outputs=layer.output)
    """
    result = analyze(src)
    assert errors(result) == []
    model = model_named(result)
    assert rows(model) == [("Functional", [None, 2048], 23_587_712), ("Dense", [None, 2], 4098)]
    assert model.total_params == 23_591_810 and model.trainable_params == 23_538_690
    v2 = model_named(result, "v2")
    assert (len(v2.layers), v2.total_params) == (189, 23_564_800)
    features = model_named(result, "features")
    assert (len(features.layers), features.total_params) == (85, 1_453_568)
    assert features.layers[-1].output_shape == (None, 6, 6, 512)


def test_get_layer_of_a_named_input():
    src = """
    import keras
    from keras import layers

    image = keras.Input(shape=(32, 8, 1), name="image")
    x = layers.Conv2D(4, 3, padding="same")(image)
    x = layers.Reshape((32, 32))(x)
    x = layers.Dense(5, name="dense2")(x)
    model = keras.Model(image, x)
    prediction_model = keras.models.Model(model.get_layer(name="image").input, model.get_layer(name="dense2").output)
    """
    result = analyze(src)
    prediction = model_named(result, "prediction_model")
    assert prediction.resolved and prediction.total_params == 205


def test_custom_layer_weights_of_held_layers_follow_keras_building():
    # real Keras: Proj(8) never calls its Dense (0 weights); Pre builds its Dense explicitly
    src = """
    import keras
    from keras import layers

    class Proj(layers.Layer):
        def __init__(self, units, **kw):
            super().__init__(**kw)
            self.units = units
            self.proj = layers.Dense(units)

        def call(self, x):
            if x.shape[-1] != self.units:
                x = self.proj(x)
            return x

    class Pre(layers.Layer):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(3)

        def build(self, input_shape):
            self.d.build(input_shape)

        def call(self, x):
            return x

    inputs = keras.Input((10, 8))
    a = Proj(8)(inputs)
    b = Pre()(inputs)
    c = Proj(4)(inputs)
    model = keras.Model(inputs, [a, b, c])
    """
    model = model_named(analyze(src))
    assert [(r.type, r.params) for r in model.layers] == [("Proj", 0), ("Pre", 27), ("Proj", 36)]
    assert model.total_params == 63 and model.resolved


def test_code_handed_to_tensorflow_is_not_assumed_weightless():
    src = """
    import keras
    import tensorflow as tf
    from keras import layers

    class Looping(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = layers.Dense(4)

        def call(self, x):
            def body(i, y):
                return i + 1, self.inner(y)
            _, y = tf.while_loop(lambda i, y: i < 3, body, [0, x])
            return y

    inputs = keras.Input((4,))
    model = keras.Model(inputs, Looping()(inputs))
    """
    result = analyze(src)
    assert errors(result) == []
    assert model_named(result).total_params is None
