## The R side of the differential suite (tests/stats/test_r_oracle.py).
##
##   Rscript tests/stats/r_oracle/oracle.R tests/stats/r_oracle/cases.json \
##       tests/stats/data tests/stats/r_oracle/results.json
##
## (`make test-r` runs the generator, this script and the comparison.) Every case is an
## analysis spec; this script translates it into calls of R's survey package and records
## every number R prints for it, or R's error. Each output row of a domain estimate is
## computed on the domain's own subset design (what svyby does), its interval with the df of
## that subset design (the convention of the spec); contrasts come from svyby(covmat = TRUE)
## and svycontrast; tests from svyttest and svychisq.
suppressMessages({
  library(survey)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
args <- commandArgs(TRUE)
cases <- fromJSON(args[1], simplifyVector = FALSE)
datadir <- args[2]
outfile <- args[3]

`%||%` <- function(a, b) if (is.null(a)) b else a
num <- function(x) if (is.null(x) || length(x) == 0 || is.na(x) || !is.finite(x)) NULL else unname(x)

read_data <- function(file) {
  df <- read.csv(file.path(datadir, file), na.strings = c("", "NA"), check.names = FALSE)
  df
}

## a condition as a numeric 0/1 vector, NA where its column is missing
cond_values <- function(df, cond) {
  x <- df[[cond$column]]
  v <- cond$value
  if (cond$op == "in") {
    vals <- unlist(v)
    out <- if (is.numeric(x)) x %in% as.numeric(vals) else x %in% as.character(vals)
  } else {
    if (is.numeric(x)) v <- as.numeric(v) else v <- as.character(v)
    out <- switch(cond$op, "==" = x == v, "!=" = x != v, "<" = x < v, "<=" = x <= v,
                  ">" = x > v, ">=" = x >= v)
  }
  out <- as.numeric(out)
  out[is.na(x)] <- NA
  out
}

is_cond <- function(v) is.list(v)

## names every condition of the spec gets as a data column
prepare <- function(spec, df) {
  k <- 0
  conds <- list()
  add <- function(v) {
    if (is_cond(v)) {
      k <<- k + 1
      nm <- paste0("vibc", k)
      df[[nm]] <<- cond_values(df, v)
      return(nm)
    }
    v
  }
  for (i in seq_along(spec$estimates)) {
    e <- spec$estimates[[i]]
    if (!is.null(e$variable)) spec$estimates[[i]]$variable <- add(e$variable)
    if (!is.null(e$numerator)) spec$estimates[[i]]$numerator <- add(e$numerator)
    if (!is.null(e$denominator)) spec$estimates[[i]]$denominator <- add(e$denominator)
  }
  for (i in seq_along(spec$tests)) {
    t <- spec$tests[[i]]
    if (!is.null(t[["variable"]])) spec$tests[[i]][["variable"]] <- add(t[["variable"]])
    if (!is.null(t[["variables"]])) {
      for (j in seq_along(t$variables)) spec$tests[[i]]$variables[[j]] <- add(t$variables[[j]])
    }
  }
  ## character columns become factors with every level of the file (sorted as in C)
  for (nm in names(df)) {
    if (is.character(df[[nm]])) df[[nm]] <- factor(df[[nm]], levels = sort(unique(df[[nm]])))
  }
  list(spec = spec, df = df)
}

fml <- function(v) reformulate(sprintf("`%s`", unlist(v)))

make_design <- function(spec, df) {
  ds <- spec$design
  options(survey.lonely.psu = ds$lonely_psu %||% "fail")
  ids <- if (length(ds$ids)) fml(ds$ids) else ~1
  args <- list(ids = ids, data = df, nest = isTRUE(ds$nest))
  if (!is.null(ds$strata)) args$strata <- fml(ds$strata)
  if (!is.null(ds$weights)) args$weights <- fml(ds$weights)
  if (!is.null(ds$probs)) args$probs <- fml(ds$probs)
  if (length(ds$fpc)) args$fpc <- fml(ds$fpc)
  d <- do.call(svydesign, args)
  rp <- spec$replicates
  if (!is.null(rp)) {
    mse <- isTRUE(rp$mse)
    if (is.null(rp$columns)) {
      type <- rp$type
      if (type %in% c("bootstrap", "subbootstrap")) {
        stop("generated bootstrap replicates are compared through their columns")
      }
      d <- as.svrepdesign(d, type = type, fay.rho = rp$rho %||% 0, mse = mse)
    } else {
      type <- rp$type
      if (type == "subbootstrap") type <- "bootstrap"
      rargs <- list(variables = df, repweights = df[, unlist(rp$columns)], type = type,
                    combined.weights = rp$combined_weights %||% TRUE, mse = mse)
      if (!is.null(ds$weights)) rargs$weights <- df[[ds$weights]]
      if (!is.null(rp$rho)) rargs$rho <- rp$rho
      if (!is.null(rp$scale)) rargs$scale <- rp$scale
      if (!is.null(rp$rscales)) rargs$rscales <- unlist(rp$rscales)
      d <- do.call(svrepdesign, rargs)
    }
  }
  for (step in spec$calibration) {
    if (step$method == "poststratify") {
      d <- postStratify(d, fml(step$variables), pop_frame(step$variables, step$population, df))
    } else if (step$method == "rake") {
      d <- rake(d, lapply(step$margins, function(m) fml(m$variables)),
                lapply(step$margins, function(m) pop_frame(m$variables, m$population, df)),
                control = list(maxit = step$maxit %||% 10, epsilon = step$epsilon %||% 1,
                               verbose = FALSE))
    } else {
      f <- fml(step$terms)
      mm <- model.matrix(f, model.frame(f, df))
      pop <- unlist(step$population)[colnames(mm)]
      d <- calibrate(d, f, population = pop, calfun = "linear")
    }
  }
  d
}

pop_frame <- function(vars, population, df) {
  out <- list()
  for (v in unlist(vars)) {
    vals <- sapply(population, function(cell) cell[[v]])
    if (is.factor(df[[v]])) vals <- factor(as.character(vals), levels = levels(df[[v]]))
    else vals <- as.numeric(vals)
    out[[v]] <- vals
  }
  out$Freq <- sapply(population, function(cell) cell$N)
  as.data.frame(out, check.names = FALSE)
}

qlevel <- function(level, df) {
  if (is.infinite(df)) qnorm(1 - (1 - level) / 2) else qt(1 - (1 - level) / 2, df)
}

## R's svyby keeps the domains that have rows of non-zero weight in the design
domains <- function(d, by, df, submask) {
  if (!length(by)) return(list(list(label = setNames(list(), character(0)), mask = submask)))
  w <- weights(d, "sampling")
  vals <- lapply(unlist(by), function(b) df[[b]])
  keep <- submask & w != 0
  for (v in vals) keep <- keep & !is.na(v)
  key <- do.call(paste, c(lapply(vals, as.character), sep = "\r"))
  ## sorted lexicographically by the by columns, as the spec orders them
  combos <- unique(as.data.frame(lapply(vals, function(v) v[keep]), col.names = unlist(by)))
  ord <- do.call(order, unname(as.list(combos)))
  combos <- combos[ord, , drop = FALSE]
  lapply(seq_len(nrow(combos)), function(i) {
    lab <- lapply(combos[i, , drop = FALSE], function(x) if (is.factor(x)) as.character(x) else x)
    ck <- do.call(paste, c(lapply(lab, as.character), sep = "\r"))
    list(label = lab, mask = submask & !is.na(key) & key == ck)
  })
}

one_row <- function(est, se, df, deff, n, lo, hi, label, level_name) {
  list(domain = label, level = level_name, estimate = num(est), se = num(se), df = df,
       ci_low = num(lo), ci_high = num(hi), deff = num(deff), n = n)
}

estimate_rows <- function(e, d, df, submask) {
  stat <- e$statistic
  level <- e$level %||% 0.95
  ci <- e$ci %||% "t"
  na_rm <- if (is.null(e$na_rm)) TRUE else isTRUE(e$na_rm)
  deff <- e$deff %||% FALSE
  rows <- list()
  for (dom in domains(d, e$by, df, submask)) {
    dd <- d[dom$mask, ]
    ddf <- degf(dd)
    qdf <- if (ci == "normal") Inf else ddf
    q <- qlevel(level, qdf)
    if (stat == "ratio") {
      r <- svyratio(fml(e$numerator), fml(e$denominator), dd, na.rm = na_rm, deff = deff)
      est <- coef(r); se <- SE(r)
      dfx <- if (isFALSE(deff)) NA else deff(r)
      n <- sum(dom$mask & !is.na(df[[e$numerator]]) & !is.na(df[[e$denominator]]))
      rows[[length(rows) + 1]] <- one_row(est, se, ddf, dfx, n, est - q * se, est + q * se,
                                          dom$label, NULL)
      next
    }
    v <- e$variable
    f <- fml(v)
    n <- sum(dom$mask & !is.na(df[[v]]))
    fun <- if (stat == "total") svytotal else svymean
    dv <- if (isFALSE(deff)) FALSE else deff
    m <- fun(f, dd, na.rm = na_rm, deff = dv)
    est <- coef(m); se <- SE(m)
    dfx <- if (isFALSE(deff)) rep(NA, length(est)) else deff(m)
    levs <- if (is.factor(df[[v]])) levels(df[[v]]) else list(NULL)
    for (j in seq_along(est)) {
      lo <- est[j] - q * se[j]; hi <- est[j] + q * se[j]
      if (stat == "proportion" && !(ci %in% c("t", "normal"))) {
        cp <- if (ci %in% c("likelihood", "logit")) {
          svyciprop(f, dd, method = ci, level = level, df = qdf)  # svyglm drops NAs itself
        } else {
          svyciprop(f, dd, method = ci, level = level, df = qdf, na.rm = na_rm)
        }
        lo <- confint(cp)[1]; hi <- confint(cp)[2]
      }
      rows[[length(rows) + 1]] <- one_row(est[j], se[j], ddf, dfx[j], n, lo, hi, dom$label,
                                          levs[[j]])
    }
  }
  rows
}

contrast <- function(c, spec, d, df, submask) {
  e <- NULL
  for (x in spec$estimates) if (x$id == c$of) e <- x
  ds <- d[submask, ]
  doms <- domains(d, e$by, df, submask)
  if (length(doms) == 1) ds <- d[doms[[1]]$mask, ]
  if (length(doms) > 1) {
    by <- fml(e$by)
    if (e$statistic == "ratio") {
      r <- svyby(fml(e$numerator), by, ds, svyratio, denominator = fml(e$denominator),
                 covmat = TRUE, na.rm = TRUE)
    } else {
      fun <- if (e$statistic == "total") svytotal else svymean
      r <- svyby(fml(e$variable), by, ds, fun, covmat = TRUE, na.rm = TRUE)
    }
  } else if (e$statistic == "ratio") {
    r <- svyratio(fml(e$numerator), fml(e$denominator), ds, na.rm = TRUE)
  } else {
    fun <- if (e$statistic == "total") svytotal else svymean
    r <- fun(fml(e$variable), ds, na.rm = TRUE)
  }
  coefs <- unlist(c$coefficients)
  if (length(coefs) != length(coef(r))) stop("contrast needs one coefficient per row")
  sc <- svycontrast(r, coefs)
  est <- as.numeric(coef(sc)); se <- as.numeric(SE(sc))
  ddf <- degf(ds)
  q <- qlevel(c$level %||% 0.95, ddf)
  t <- est / se
  list(id = c$id, estimate = num(est), se = num(se), df = ddf, ci_low = num(est - q * se),
       ci_high = num(est + q * se), p_value = num(2 * pt(-abs(t), ddf)))
}

run_test <- function(t, d, df, submask) {
  ds <- d[submask, ]
  if (t$type == "ttest") {
    r <- svyttest(reformulate(sprintf("`%s`", t$group), sprintf("`%s`", t[["variable"]])), ds)
    out <- list(type = "ttest", statistic = num(r$statistic), df = num(r$parameter),
                p_value = num(r$p.value), estimate = num(r$estimate))
  } else {
    vars <- unlist(t$variables)
    stat <- t$statistic %||% "F"
    r <- svychisq(fml(vars), ds, statistic = stat)
    out <- list(type = "chisq", statistic = num(r$statistic), p_value = num(r$p.value))
    if (stat == "F") {
      out$df <- num(r$parameter[1]); out$ddf <- num(r$parameter[2])
    } else {
      out$df <- num(r$parameter[1])
    }
  }
  if (!is.null(t$id)) out$id <- t$id
  out
}

run_case <- function(case) {
  spec <- case$spec
  df0 <- read_data(spec$data)
  p <- prepare(spec, df0)
  spec <- p$spec; df <- p$df
  d <- make_design(spec, df)
  submask <- rep(TRUE, nrow(df))
  if (!is.null(spec$subset)) {
    s <- cond_values(df, spec$subset)
    submask <- !is.na(s) & s == 1
  }
  est <- lapply(spec$estimates, function(e) {
    list(id = e$id, rows = estimate_rows(e, d, df, submask))
  })
  con <- lapply(spec$contrasts, function(c) contrast(c, spec, d, df, submask))
  tst <- lapply(spec$tests, function(t) run_test(t, d, df, submask))
  out <- list(estimates = est, contrasts = con, tests = tst)
  if (isTRUE(spec$output_weights)) out$weights <- unname(weights(d, "sampling"))
  out
}

only <- Sys.getenv("ORACLE_ONLY")
if (nzchar(only)) {  # debugging one case: no error handling, print the result
  for (case in cases) if (case$id == only) {
    options(error = function() { traceback(3); quit(status = 1) })
    print(str(run_case(case)))
  }
  quit(save = "no")
}
results <- list()
for (case in cases) {
  ws <- character(0)
  res <- tryCatch(
    withCallingHandlers(run_case(case), warning = function(w) {
      ws <<- c(ws, conditionMessage(w))
      invokeRestart("muffleWarning")
    }),
    error = function(err) list(error = conditionMessage(err))
  )
  if (length(ws)) res$warnings <- unique(ws)
  results[[case$id]] <- res
}
meta <- list(R = R.version.string, survey = as.character(packageVersion("survey")))
writeLines(toJSON(list(meta = meta, results = results), auto_unbox = TRUE, digits = I(17),
                  null = "null", na = "null"), outfile)
