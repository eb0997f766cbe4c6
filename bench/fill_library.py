"""Fill a library with N realistic items, fast: python bench/fill_library.py N DATA_DIR

Prompts from a word list, varied parameters, dates over the past year, favourites,
collections and edit chains; a few hundred distinct small image files (with embedded
settings) hard-linked under realistic names, and their thumbnails pre-made ("cached").
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw

from app.core.library import Library, metadata
from app.core.library.thumbs import make_thumbnail

SUBJECTS = [
    "cat",
    "dog",
    "fox",
    "owl",
    "whale",
    "lighthouse",
    "harbour",
    "castle",
    "forest",
    "mountain",
    "robot",
    "astronaut",
    "dragon",
    "violin",
    "teapot",
    "bicycle",
    "tram",
    "cathedral",
    "garden",
    "desert",
    "glacier",
    "village",
    "market",
    "kitchen",
    "library",
    "samurai",
    "dancer",
    "knight",
    "wizard",
    "fisherman",
    "baker",
    "child",
    "grandmother",
    "city",
    "bridge",
    "river",
    "waterfall",
    "volcano",
    "island",
    "spaceship",
    "submarine",
    "train",
    "balloon",
    "butterfly",
    "tiger",
    "horse",
    "deer",
    "rabbit",
    "koi",
    "sunflower",
    "orchid",
    "bonsai",
    "cactus",
    "mushroom",
    "lantern",
    "clock",
    "typewriter",
    "piano",
    "camera",
]
ADJECTIVES = [
    "red",
    "blue",
    "golden",
    "silver",
    "misty",
    "rainy",
    "snowy",
    "sunny",
    "ancient",
    "futuristic",
    "tiny",
    "giant",
    "cosy",
    "lonely",
    "crowded",
    "quiet",
    "glowing",
    "neon",
    "pastel",
    "dark",
    "bright",
    "rustic",
    "elegant",
    "whimsical",
    "eerie",
    "serene",
    "stormy",
    "frozen",
    "overgrown",
    "abandoned",
    "floating",
    "crystal",
    "wooden",
    "paper",
]
PLACES = """at dusk|at dawn|under the stars|in the rain|on a foggy morning|by the sea|in a
snowy forest|on a busy street|in a sunlit meadow|inside a greenhouse|on the moon|under
water|in a tiny room|at the top of a hill|beside a frozen lake""".replace("\n", " ").split("|")
STYLES = """watercolor painting|oil painting|35mm photograph|studio photo|isometric illustration|
pixel art|ink sketch|3D render|ukiyo-e woodblock print|children's book illustration|
cinematic still|flat vector art|charcoal drawing|low-poly render|film noir photo""".replace(
    "\n", ""
).split("|")
SIZES = ["1024x1024", "1024x1536", "1536x1024", "auto"]
QUALITIES = ["low", "medium", "high", "auto"]
FORMATS = ["png", "jpeg", "webp"]
COLLECTIONS = ["Portfolio", "Client work", "Wallpapers", "Ideas", "Book cover"]
DISTINCT_IMAGES = 300


def prompt(rng: random.Random) -> str:
    s = f"a {rng.choice(ADJECTIVES)} {rng.choice(SUBJECTS)} {rng.choice(PLACES)}, {rng.choice(STYLES)}"
    if rng.random() < 0.4:
        s += f", with a {rng.choice(ADJECTIVES)} {rng.choice(SUBJECTS)} in the background"
    return s


def make_pool(
    pool_dir: Path, thumbs_dir: Path, rng: random.Random
) -> list[tuple[Path, Path, str, int, int]]:
    pool_dir.mkdir(parents=True, exist_ok=True)
    thumbs_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(DISTINCT_IMAGES):
        fmt = FORMATS[i % 3]
        w, h = rng.choice([(256, 256), (256, 384), (384, 256)])
        im = Image.new("RGB", (w, h), tuple(rng.randrange(256) for _ in range(3)))
        d = ImageDraw.Draw(im)
        for _ in range(12):
            x0, y0 = rng.randrange(w), rng.randrange(h)
            d.ellipse(
                (x0, y0, x0 + rng.randrange(20, 160), y0 + rng.randrange(20, 160)),
                fill=tuple(rng.randrange(256) for _ in range(3)),
            )
        buf = io.BytesIO()
        im.save(buf, {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt])
        data = metadata.embed(
            buf.getvalue(), {"params": {"prompt": prompt(rng), "output_format": fmt}}
        )
        src = pool_dir / f"pool-{i}.{'jpg' if fmt == 'jpeg' else fmt}"
        src.write_bytes(data)
        thumb = thumbs_dir / f"pool-{i}.jpg"
        make_thumbnail(src, thumb)
        out.append((src, thumb, fmt, w, h))
    return out


def fill(n: int, data_dir: Path, seed: int = 1) -> float:
    t0 = time.perf_counter()
    rng = random.Random(seed)
    with Library.open(data_dir) as lib:
        images_dir, thumbs_root = lib.images_dir, lib.thumbnails_dir
    pool = make_pool(data_dir / "bench-pool", data_dir / "bench-pool-thumbs", rng)
    sizes = {p[0]: p[0].stat().st_size for p in pool}
    conn = sqlite3.connect(data_dir / "library.sqlite3", isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    start_id = (conn.execute("SELECT max(id) FROM items").fetchone()[0] or 0) + 1
    now = time.time()
    times = sorted(now - rng.random() * 365 * 86400 for _ in range(n))
    conn.execute("BEGIN")
    # Schema v5: a picture belongs to any number of collections (item_collections).
    conn.executemany(
        "INSERT OR IGNORE INTO collections(name) VALUES (?)", [(c,) for c in COLLECTIONS]
    )
    collection_ids = dict(conn.execute("SELECT name, id FROM collections"))
    rows, usage, members = [], [], []
    made_dirs: set[Path] = set()
    for k in range(n):
        item_id = start_id + k
        src, thumb, fmt, w, h = pool[rng.randrange(len(pool))]
        created = times[k]
        month = time.strftime("%Y-%m", time.localtime(created))
        folder = images_dir / month
        if folder not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)
        ext = "jpg" if fmt == "jpeg" else fmt
        path = (
            folder
            / f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(created))}-{item_id:08x}.{ext}"
        )
        os.link(src, path)
        tdir = thumbs_root / str(item_id // 1000)
        if tdir not in made_dirs:
            tdir.mkdir(parents=True, exist_ok=True)
            made_dirs.add(tdir)
        os.link(thumb, tdir / f"{item_id}.jpg")
        p = prompt(rng)
        params = {
            "prompt": p,
            "model": "gpt-image-2",
            "size": rng.choice(SIZES),
            "quality": rng.choice(QUALITIES),
            "background": "auto",
            "output_format": fmt,
            "output_compression": None,
            "moderation": "auto",
            "user": None,
            "input_fidelity": None,
        }
        parent = start_id + rng.randrange(k) if k and rng.random() < 0.05 else None
        out_tokens = rng.choice([272, 1056, 4160, 1584, 6240])
        in_tokens = rng.randrange(20, 200)
        if rng.random() < 0.03:
            members.append((item_id, collection_ids[rng.choice(COLLECTIONS)]))
        rows.append(
            (
                item_id,
                path.relative_to(data_dir).as_posix(),
                p,
                f"{p}, highly detailed" if rng.random() < 0.3 else None,
                json.dumps(params),
                "async",
                "gpt-image-2",
                w,
                h,
                fmt,
                params["size"] if params["size"] != "auto" else "1024x1024",
                params["quality"],
                created,
                f"task-{item_id}",
                f"job-{item_id}",
                parent,
                int(rng.random() < 0.05),
                in_tokens,
                out_tokens,
                in_tokens,
                0,
                sizes[src],
            )
        )
        usage.append(
            (f"job-{item_id}", created, "gpt-image-2", in_tokens, out_tokens, in_tokens, 0)
        )
        if len(rows) >= 5000:
            _flush(conn, rows, usage, members)
    _flush(conn, rows, usage, members)
    conn.execute("COMMIT")
    conn.execute("PRAGMA optimize")
    conn.close()
    return time.perf_counter() - t0


def _flush(
    conn: sqlite3.Connection, rows: list[tuple], usage: list[tuple], members: list[tuple]
) -> None:
    conn.executemany(
        "INSERT INTO items (id, path, prompt, revised_prompt, params, flavour, model, width, "
        "height, format, size_returned, quality_returned, created_at, task_id, job_id, "
        "parent_id, favourite, input_tokens, output_tokens, text_input_tokens, "
        "image_input_tokens, file_size) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.executemany("INSERT INTO item_collections (item_id, collection_id) VALUES (?,?)", members)
    members.clear()
    conn.executemany(
        "INSERT INTO usage (job_id, at, model, input_tokens, output_tokens, text_input_tokens, "
        "image_input_tokens) VALUES (?,?,?,?,?,?,?)",
        usage,
    )
    rows.clear()
    usage.clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    secs = fill(args.n, args.data_dir, args.seed)
    print(f"filled {args.n} items into {args.data_dir} in {secs:.1f} s")


if __name__ == "__main__":
    main()
