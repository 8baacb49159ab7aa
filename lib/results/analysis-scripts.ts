// Ready-to-run analysis scripts served beside the trial CSV: a GLMM with crossed random effects of
// rater and image, the marginal fool rate per method with an interval, and pairwise contrasts. They
// read the CSV exactly as downloaded (TRUE/FALSE logicals, see csv.ts) and keep the analysis the
// dashboard uses: test trials of analysed (not excluded) sessions, fake photos only in the
// single-image designs. Plain text: no study data inside
// except the CSV's file name.

/** Which script: R with lme4, or Python with statsmodels. */
export type AnalysisLanguage = "r" | "python";

/** File name of the analysis script for a study's file stem. */
export function analysisScriptName(stem: string, language: AnalysisLanguage): string {
  return `${stem}-analysis.${language === "r" ? "R" : "py"}`;
}

/**
 * The R script: glmer(fooled ~ 0 + method + (1 | session) + (1 | image), binomial). The marginal
 * (population-average) fool rate of a method is E[logistic(β_m + u + v)] over the rater and image
 * effects, i.e. ∫ logistic(β_m + s·z) φ(z) dz with s² = σ²_rater + σ²_image, by numerical
 * integration; its interval comes from 4,000 draws of the fixed effects from their estimated normal
 * distribution (variance components held at their estimates). Contrasts are differences of marginal
 * rates with Bonferroni-adjusted intervals and p-values. Writes the per-method table to a CSV.
 *
 * @param csvName the trial CSV's file name (the default input).
 */
export function rAnalysisScript(csvName: string): string {
  return `# GLMM analysis of a colorization Turing test, from the trial export.
# Usage: Rscript this-file.R [${csvName}] [output.csv]
# Needs R >= 4.0 and lme4 (Debian: apt-get install r-base-core r-cran-lme4).
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
input <- if (length(args) >= 1) args[1] else ${JSON.stringify(csvName)}
output <- if (length(args) >= 2) args[2] else "glmm-fool-rates.csv"

d <- read.csv(input, stringsAsFactors = FALSE)
stopifnot(is.logical(d$fooled), is.logical(d$excluded))
# The dashboard's analysis: answered test trials of analysed sessions.
d <- subset(d, trial_kind == "test" & !excluded & !is.na(fooled))
# Single-image designs: a fool rate counts fakes judged real, so real photos are left out.
if (!is.null(d$shown)) d <- subset(d, is.na(shown) | shown != "real")
d$method <- factor(d$method)
d$session <- factor(d$session)
d$image <- factor(d$image)

fit <- glmer(fooled ~ 0 + method + (1 | session) + (1 | image), data = d, family = binomial,
             control = glmerControl(optimizer = "bobyqa"))
print(summary(fit))

# Marginal fool rate: the mean over raters and images of logistic(beta + u + v).
spread <- sqrt(sum(as.data.frame(VarCorr(fit))$vcov))
marginal <- function(beta) integrate(function(z) plogis(beta + spread * z) * dnorm(z), -Inf, Inf)$value
beta <- fixef(fit)
V <- as.matrix(vcov(fit))
set.seed(2016)
draws <- matrix(rnorm(4000 * length(beta)), ncol = length(beta)) %*% chol(V) +
  matrix(beta, nrow = 4000, ncol = length(beta), byrow = TRUE)
rates <- apply(draws, c(1, 2), marginal)
methods <- sub("^method", "", names(beta))
pooled <- tapply(d$fooled, d$method, mean)[methods]
table <- data.frame(
  method = methods,
  pooled = as.numeric(pooled),
  glmm = sapply(beta, marginal),
  lower = apply(rates, 2, quantile, 0.025),
  upper = apply(rates, 2, quantile, 0.975),
  raters = as.numeric(tapply(d$session, d$method, function(s) length(unique(s)))[methods]),
  images = as.numeric(tapply(d$image, d$method, function(s) length(unique(s)))[methods]),
  trials = as.numeric(table(d$method)[methods])
)
cat("\\nMarginal fool rate per method (GLMM, 95% interval) beside the pooled rate:\\n")
print(table, row.names = FALSE, digits = 4)
write.csv(table, output, row.names = FALSE)

# Pairwise differences of marginal rates: simultaneous (Bonferroni) 95% intervals and adjusted p.
pairs <- if (length(methods) >= 2) combn(length(methods), 2) else matrix(nrow = 2, ncol = 0)
m <- ncol(pairs)
if (m > 0) {
  cat("\\nPairwise differences (Bonferroni over", m, "comparisons):\\n")
  for (k in seq_len(m)) {
    a <- pairs[1, k]; b <- pairs[2, k]
    diff <- rates[, a] - rates[, b]
    p <- min(1, 2 * min(mean(diff <= 0), mean(diff >= 0)) * m)
    q <- quantile(diff, c(0.025 / m, 1 - 0.025 / m))
    cat(sprintf("  %s - %s: %+.1f pp [%+.1f, %+.1f], adjusted p = %.3g\\n", methods[a], methods[b],
                100 * (marginal(beta[a]) - marginal(beta[b])), 100 * q[1], 100 * q[2], p))
  }
}
`;
}

/**
 * The Python script: statsmodels' BinomialBayesMixedGLM with crossed variance components for
 * session (rater) and image, fitted by variational Bayes; marginal fool rates by Gauss–Hermite
 * integration over the rater and image effects, intervals from 4,000 draws of the fixed effects'
 * approximate posterior, and pairwise differences with Bonferroni-adjusted intervals.
 *
 * @param csvName the trial CSV's file name (the default input).
 */
export function pythonAnalysisScript(csvName: string): string {
  return `"""GLMM analysis of a colorization Turing test, from the trial export.

Usage: python3 this-file.py [${csvName}] [output.csv]
Needs pandas, numpy and statsmodels (Debian: apt-get install python3-statsmodels).
The fit is variational Bayes (mean field), which is known to understate the uncertainty of the
fixed effects: its intervals are narrower than the R script's (lme4, maximum likelihood); prefer
those for reporting.
"""
import sys

import numpy as np
import pandas as pd
from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

source = sys.argv[1] if len(sys.argv) > 1 else ${JSON.stringify(csvName)}
output = sys.argv[2] if len(sys.argv) > 2 else "glmm-fool-rates-python.csv"

d = pd.read_csv(source)
# The dashboard's analysis: answered test trials of analysed sessions (TRUE/FALSE read as booleans).
d = d[(d["trial_kind"] == "test") & ~d["excluded"].astype(bool) & d["fooled"].notna()].copy()
# Single-image designs: a fool rate counts fakes judged real, so real photos are left out.
if "shown" in d:
    d = d[d["shown"].fillna("") != "real"].copy()
d["y"] = d["fooled"].astype(bool).astype(int)

model = BinomialBayesMixedGLM.from_formula(
    "y ~ 0 + C(method)", {"rater": "0 + C(session)", "image": "0 + C(image)"}, d
)
fit = model.fit_vb()
print(fit.summary())

# Marginal fool rate: the mean over raters and images of logistic(beta + u + v).
spread = float(np.sqrt(np.sum(np.exp(2 * fit.vcp_mean))))
nodes, weights = np.polynomial.hermite_e.hermegauss(60)
weights = weights / weights.sum()


def marginal(beta):
    beta = np.asarray(beta, dtype=float)
    return (weights / (1 + np.exp(-(beta[..., None] + spread * nodes)))).sum(axis=-1)


methods = [name[len("C(method)[") : -1] for name in model.exog_names]
rng = np.random.default_rng(2016)
draws = fit.fe_mean + fit.fe_sd * rng.standard_normal((4000, len(methods)))
rates = marginal(draws)
estimate = marginal(fit.fe_mean)
pooled = d.groupby("method")["y"].mean()
table = pd.DataFrame(
    {
        "method": methods,
        "pooled": [pooled[m] for m in methods],
        "glmm": estimate,
        "lower": np.quantile(rates, 0.025, axis=0),
        "upper": np.quantile(rates, 0.975, axis=0),
    }
)
print("\\nMarginal fool rate per method (GLMM, 95% interval) beside the pooled rate:")
print(table.to_string(index=False))
table.to_csv(output, index=False)

pairs = [(a, b) for a in range(len(methods)) for b in range(a + 1, len(methods))]
if pairs:
    m = len(pairs)
    print(f"\\nPairwise differences (Bonferroni over {m} comparisons):")
    for a, b in pairs:
        diff = rates[:, a] - rates[:, b]
        p = min(1.0, 2 * min((diff <= 0).mean(), (diff >= 0).mean()) * m)
        low, high = np.quantile(diff, [0.025 / m, 1 - 0.025 / m])
        print(f"  {methods[a]} - {methods[b]}: {100 * (estimate[a] - estimate[b]):+.1f} pp [{100 * low:+.1f}, {100 * high:+.1f}], adjusted p = {p:.3g}")
`;
}
