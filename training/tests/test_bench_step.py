"""The training-step benchmark runs both precisions and reports a ratio from its own rounds."""
import contextlib
import io
import json
import unittest

import context  # noqa: F401

from training import bench_step


class BenchStepTest(unittest.TestCase):
    def test_json_summary(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = bench_step.main(["--width", "8", "--size", "32", "--batch", "2", "--rounds", "2",
                                    "--steps", "1", "--loss", "l2", "--json"])
        self.assertEqual(code, 0)
        summary = json.loads(out.getvalue())
        self.assertEqual([r["precision"] for r in summary["rounds"]],
                         ["float32", "bfloat16 autocast", "float32", "bfloat16 autocast"])
        medians = summary["median_crops_per_s"]
        self.assertGreater(medians["float32"], 0)
        self.assertGreater(medians["bfloat16 autocast"], 0)
        self.assertAlmostEqual(summary["bf16_over_float32"], medians["bfloat16 autocast"] / medians["float32"])
        for row in summary["rounds"]:
            self.assertEqual(len(row["load_average"]), 2)


if __name__ == "__main__":
    unittest.main()
