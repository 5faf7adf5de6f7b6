## Reference values from R's survey package for tests/stats/test_r_parity.py.
## Generated with R 4.2.2 and survey 4.1.1 (Debian bookworm: apt-get install r-base-core
## r-cran-survey) by
##   Rscript tests/stats/r_reference.R tests/stats/data > tests/stats/r_reference.json
## The api data are read from the CSV files in tests/stats/data (as the engine reads them).
suppressMessages(library(survey))
args <- commandArgs(TRUE)
dir <- if (length(args)) args[1] else "."
rd <- function(f) read.csv(file.path(dir, f))
apiclus1 <- rd("apiclus1.csv"); apistrat <- rd("apistrat.csv")
num <- function(x) sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(num(x), collapse = ", "), "]")
out <- character(0)
add <- function(key, value) out <<- c(out, sprintf('  "%s": %s', key, value))

## hadamard(n), n = 1..260: order, number of ones and a position-weighted checksum
## sum(H[i, j] * ((131 i + 71 j) %% 1009)) (i, j from 1)
had <- sapply(1:260, function(n) {
  H <- hadamard(n)
  k <- nrow(H)
  wts <- outer(1:k, 1:k, function(i, j) (131 * i + 71 * j) %% 1009)
  sprintf('"%d": [%d, %d, %.0f]', n, k, sum(H), sum(H * wts))
})
add("hadamard", paste0("{", paste(had, collapse = ", "), "}"))

## BRR on a deterministic design: H strata labelled 1..H (sorted as text by brrweights),
## 2 PSUs each, 4 PSUs in every stratum h = 3 (mod 7) (split into pairs), PSUs appearing in
## a scrambled order, 3 rows per PSU
brr_data <- function(H) {
  rows <- NULL
  for (h in 1:H) {
    npsu <- if (h %% 7 == 3) 4 else 2
    for (k in 1:npsu) for (r in 1:3) {
      i <- nrow(rows) + 1; if (is.null(i) || length(i) == 0) i <- 1
      rows <- rbind(rows, data.frame(st = h, psu = h * 100 + k,
                                     y = sin(h * 7.3 + k * 1.9 + r * 0.7),
                                     w = 1 + ((h * 13 + k * 7 + r * 3) %% 11) / 3))
    }
  }
  key <- (seq_len(nrow(rows)) * 37) %% nrow(rows)
  rows[order(key), ]
}
brr <- sapply(c(2, 5, 11, 17, 20, 31, 40, 63), function(H) {
  d <- svydesign(id = ~psu, strata = ~st, weights = ~w, data = brr_data(H))
  r <- as.svrepdesign(d, type = "BRR")
  f <- as.svrepdesign(d, type = "Fay", fay.rho = 0.3)
  m <- svymean(~y, r); mf <- svymean(~y, f)
  sprintf('"%d": {"nrep": %d, "degf": %d, "mean": %s, "se": %s, "se_fay": %s}', H,
          ncol(weights(r, "replication")), degf(r), num(coef(m)), num(SE(m)), num(SE(mf)))
})
add("brr", paste0("{", paste(brr, collapse = ", "), "}"))

## svyciprop(method = "likelihood" and "logit"), both from a quasibinomial svyglm
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
ci <- function(f, des, ...) as.numeric(confint(svyciprop(f, des, method = "likelihood", ...)))
lik <- c(
  sprintf('"dclus1 ell==0": %s', vec(ci(~I(ell == 0), dclus1))),
  sprintf('"dclus1 sch.wide==Yes": %s', vec(ci(~I(sch.wide == "Yes"), dclus1))),
  sprintf('"dclus1 api00>700": %s', vec(ci(~I(api00 > 700), dclus1))),
  sprintf('"dclus1 meals>50 level 0.9": %s', vec(ci(~I(meals > 50), dclus1, level = 0.9))),
  sprintf('"dstrat api00>700 stype=%s": %s', c("E", "H", "M"),
          sapply(c("E", "H", "M"), function(s)
            vec(ci(~I(api00 > 700), subset(dstrat, stype == s))))),
  sprintf('"dclus1 api00>700 stype=%s": %s', c("E", "H", "M"),
          sapply(c("E", "H", "M"), function(s)
            vec(ci(~I(api00 > 700), subset(dclus1, stype == s))))))
add("likelihood", paste0("{", paste(lik, collapse = ", "), "}"))
lgt <- function(f, des, ...) as.numeric(confint(svyciprop(f, des, method = "logit", ...)))
logit <- c(
  sprintf('"dclus1 ell==0": %s', vec(lgt(~I(ell == 0), dclus1))),
  sprintf('"dclus1 meals>50 level 0.9": %s', vec(lgt(~I(meals > 50), dclus1, level = 0.9))),
  sprintf('"dstrat api00>700 stype=%s": %s', c("E", "H", "M"),
          sapply(c("E", "H", "M"), function(s)
            vec(lgt(~I(api00 > 700), subset(dstrat, stype == s))))))
add("logit", paste0("{", paste(logit, collapse = ", "), "}"))

## degf() of replicate designs and of their domains (subsets), as svyby/svyciprop use it
rclus1 <- as.svrepdesign(dclus1)
rstrat <- as.svrepdesign(dstrat, type = "JKn")
dg <- c(sprintf('"rclus1": %d', degf(rclus1)), sprintf('"rstrat": %d', degf(rstrat)),
        sprintf('"rclus1 stype=%s": %d', c("E", "H", "M"),
                sapply(c("E", "H", "M"), function(s) degf(subset(rclus1, stype == s)))),
        sprintf('"rstrat stype=%s": %d', c("E", "H", "M"),
                sapply(c("E", "H", "M"), function(s) degf(subset(rstrat, stype == s)))),
        sprintf('"rclus1 sch.wide=%s": %d', c("No", "Yes"),
                sapply(c("No", "Yes"), function(s) degf(subset(rclus1, sch.wide == s)))))
add("degf", paste0("{", paste(dg, collapse = ", "), "}"))

## a fpc for only one of two stages is an error in R
e <- tryCatch({svydesign(id = ~dnum + snum, fpc = ~fpc1, data = rd("apiclus2.csv")); "no error"},
              error = function(e) conditionMessage(e))
add("fpc_one_of_two_stages", sprintf('"%s"', e))

cat("{\n", paste(out, collapse = ",\n"), "\n}\n", sep = "")
