#!/usr/bin/env python3
"""Draws assets/icon.png (256x256): a heap of blocks sifted through a funnel. Needs Pillow."""
from PIL import Image, ImageDraw

S = 256
img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
d = ImageDraw.Draw(img)
# Background: rounded square with a vertical gradient.
top, bottom = (24, 48, 82), (34, 102, 138)
grad = Image.new("RGBA", (S, S))
gd = ImageDraw.Draw(grad)
for y in range(S):
    t = y / (S - 1)
    gd.line([(0, y), (S, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)) + (255,))
mask = Image.new("L", (S, S), 0)
ImageDraw.Draw(mask).rounded_rectangle([8, 8, S - 8, S - 8], radius=52, fill=255)
img.paste(grad, (0, 0), mask)
# A heap of blocks (the snapshot), widest at the bottom.
light = (226, 238, 246, 255)
for i, (w, y) in enumerate([(150, 150), (118, 120), (86, 90)]):
    x0 = (S - w) // 2
    d.rounded_rectangle([x0, y, x0 + w, y + 22], radius=7, fill=light)
# The one block that leaks, in warm orange, falling through.
d.rounded_rectangle([113, 186, 143, 210], radius=6, fill=(255, 149, 64, 255))
d.polygon([(78, 180), (178, 180), (128, 186)], fill=light)
img.save("assets/icon.png")
