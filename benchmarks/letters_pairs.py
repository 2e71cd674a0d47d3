"""Check: every ordered pair of the test letters, batched, against each letter alone.

    python benchmarks/letters_pairs.py [--shuffles K]

LibreOffice lays a letter out in a batch a little differently, at times, depending on
the letters before it (docx_batch's docstring). This converts the 13 letters of
tests/documents/test_pdf_batch.py (every bundled template in B2B and B2C, and a 3-page
statement) alone, then every ordered pair of them and K shuffled batches of 26 through
`pdf_pool.convert_batch`, and prints how many letters came out with other pages or text
than alone (it must be 0) and how many were converted again alone.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from letters import AloneCounter, page_texts

from recouvrement.documents.pdf import PdfConverter
from recouvrement.documents.pdf_pool import convert_batch
from tests.documents.test_pdf_batch import real_letters


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shuffles", type=int, default=6, help="shuffled batches of 26")
    args = parser.parse_args(argv)
    counter = AloneCounter()
    logger = logging.getLogger("recouvrement.documents.pdf_pool")
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)

    letters = real_letters()
    batches = [list(pair) for pair in itertools.permutations(range(len(letters)), 2)]
    shuffler = random.Random(14)
    for _ in range(args.shuffles):
        order = list(range(len(letters))) * 2
        shuffler.shuffle(order)
        batches.append(order)
    with PdfConverter() as converter:
        alone = [page_texts(converter.convert(docx)) for docx in letters]
        differ = 0
        for batch in batches:
            pdfs = convert_batch(converter, [letters[index] for index in batch])
            differ += sum(page_texts(pdf) != alone[i] for i, pdf in zip(batch, pdfs, strict=True))
    converted = sum(len(batch) for batch in batches)
    print(
        f"{len(batches)} batches, {converted} letters: {differ} differ from alone, "
        f"{counter.count} converted again alone"
    )
    if differ:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
