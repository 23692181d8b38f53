import assert from "node:assert/strict";
import { test } from "node:test";

import { max, mean, sum } from "../src/stats.js";

test("sum adds the values", () => {
  assert.equal(sum([1, 2, 3]), 6);
});

test("max finds the largest value", () => {
  assert.equal(max([3, 9, 4]), 9);
});

test("mean averages the values", () => {
  assert.equal(mean([2, 4, 6]), 4);
});
