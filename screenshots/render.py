#!/usr/bin/env python3
"""Renders a `tmux capture-pane -e -p` dump (text with SGR colour codes) to a PNG.

usage: render.py CAPTURE.txt OUT.png
Only SGR sequences are interpreted (capture-pane emits no cursor movement): 16, 256 and
true colours, bold, reverse and underline. Glyphs come from DejaVu Sans Mono, which has the
box-drawing and block characters; braille dots are drawn as dots.
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
FONT_PX = 16
BG = (24, 24, 27)
FG = (212, 212, 216)
# xterm's 16 colours, a little softened.
BASE16 = [
    (40, 42, 46), (204, 62, 68), (80, 180, 90), (214, 170, 60),
    (70, 130, 220), (190, 90, 200), (60, 180, 190), (200, 200, 205),
    (110, 112, 118), (240, 90, 95), (110, 220, 120), (240, 210, 90),
    (110, 160, 250), (220, 130, 230), (100, 220, 230), (250, 250, 250),
]
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


def apply_sgr(params, style):
    codes = [int(p) if p else 0 for p in re.split(r"[;:]", params)] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            style.update(fg=None, bg=None, bold=False, reverse=False, underline=False)
        elif c == 1:
            style["bold"] = True
        elif c == 22:
            style["bold"] = False
        elif c == 4:
            style["underline"] = True
        elif c == 24:
            style["underline"] = False
        elif c == 7:
            style["reverse"] = True
        elif c == 27:
            style["reverse"] = False
        elif 30 <= c <= 37:
            style["fg"] = BASE16[c - 30]
        elif 90 <= c <= 97:
            style["fg"] = BASE16[c - 90 + 8]
        elif 40 <= c <= 47:
            style["bg"] = BASE16[c - 40]
        elif 100 <= c <= 107:
            style["bg"] = BASE16[c - 100 + 8]
        elif c == 39:
            style["fg"] = None
        elif c == 49:
            style["bg"] = None
        elif c in (38, 48) and i + 1 < len(codes):
            key = "fg" if c == 38 else "bg"
            if codes[i + 1] == 5 and i + 2 < len(codes):
                style[key] = color256(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                style[key] = tuple(codes[i + 2:i + 5])
                i += 4
        i += 1


def parse(text):
    """Lines of (char, style) cells."""
    style = dict(fg=None, bg=None, bold=False, reverse=False, underline=False)
    rows = []
    for line in text.rstrip("\n").split("\n"):
        cells, pos = [], 0
        for m in SGR.finditer(line):
            cells += [(ch, dict(style)) for ch in line[pos:m.start()]]
            apply_sgr(m.group(1), style)
            pos = m.end()
        cells += [(ch, dict(style)) for ch in line[pos:]]
        rows.append(cells)
    return rows


# Box-drawing characters as the arms they have: (left, right, up, down).
BOX = {
    "─": (1, 1, 0, 0), "│": (0, 0, 1, 1), "┌": (0, 1, 0, 1), "┐": (1, 0, 0, 1),
    "└": (0, 1, 1, 0), "┘": (1, 0, 1, 0), "├": (0, 1, 1, 1), "┤": (1, 0, 1, 1),
    "┬": (1, 1, 0, 1), "┴": (1, 1, 1, 0), "┼": (1, 1, 1, 1),
}
# Left-aligned partial blocks, in eighths of a cell.
EIGHTHS = {"▏": 1, "▎": 2, "▍": 3, "▌": 4, "▋": 5, "▊": 6, "▉": 7, "█": 8}


def draw_cell_shape(draw, ch, left, top, w, h, fg):
    """Draws box and block characters as shapes, so they join up; False for other glyphs."""
    if ch in BOX:
        l, r, u, d = BOX[ch]
        cx, cy = left + w // 2, top + h // 2
        if l:
            draw.line([left, cy, cx, cy], fill=fg)
        if r:
            draw.line([cx, cy, left + w, cy], fill=fg)
        if u:
            draw.line([cx, top, cx, cy], fill=fg)
        if d:
            draw.line([cx, cy, cx, top + h], fill=fg)
        return True
    if 0x2800 <= ord(ch) <= 0x28FF:
        # Braille: bit i is a dot at (column, row) below; drawn, since the font lacks them.
        bits = ord(ch) - 0x2800
        spots = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]
        r = max(1, w // 8)
        for i, (col, row) in enumerate(spots):
            if bits & (1 << i):
                x = left + w * (1 + 2 * col) // 4
                y = top + h * (1 + 2 * row) // 8
                draw.ellipse([x - r, y - r, x + r, y + r], fill=fg)
        return True
    if ch in EIGHTHS:
        draw.rectangle([left, top, left + w * EIGHTHS[ch] // 8 - 1, top + h - 1], fill=fg)
        return True
    return False


def render(rows, out):
    regular = ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", FONT_PX)
    bold = ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", FONT_PX)
    cell_w = round(regular.getlength("M"))
    cell_h = FONT_PX + 4
    cols = max(len(r) for r in rows)
    pad = 12
    img = Image.new("RGB", (cols * cell_w + 2 * pad, len(rows) * cell_h + 2 * pad), BG)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(rows):
        for x, (ch, st) in enumerate(row):
            fg, bg = st["fg"] or FG, st["bg"]
            if st["reverse"]:
                fg, bg = bg or BG, fg
            left, top = pad + x * cell_w, pad + y * cell_h
            if bg:
                draw.rectangle([left, top, left + cell_w - 1, top + cell_h - 1], fill=bg)
            if draw_cell_shape(draw, ch, left, top, cell_w, cell_h, fg):
                pass
            elif ch.strip():
                font = bold if st["bold"] else regular
                draw.text((left, top + 1), ch, font=font, fill=fg)
            if st["underline"]:
                draw.line([left, top + cell_h - 2, left + cell_w, top + cell_h - 2], fill=fg)
    img.save(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: render.py CAPTURE.txt OUT.png")
    with open(sys.argv[1], encoding="utf-8") as f:
        render(parse(f.read()), sys.argv[2])
