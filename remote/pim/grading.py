"""The farm's ``pim`` backend result: a :class:`PimReport` as an autograder-ready RunResult."""

from __future__ import annotations

from remote.results import GradescopeResults, Outcome, RunResult, TestResult

from .model import PimReport


def report_metrics(report: PimReport, prefix: str = "") -> dict[str, float | int | str]:
    return {
        f"{prefix}workload": report.workload,
        f"{prefix}non_pim_cycles": report.non_pim.cycles,
        f"{prefix}pim_cycles": report.pim.cycles,
        f"{prefix}speedup": report.speedup,
        f"{prefix}pim_utilisation": report.pim_utilisation,
        f"{prefix}internal_bandwidth_gbs": report.pim.internal_bandwidth_gbs,
        f"{prefix}external_bandwidth_gbs": report.non_pim.external_bandwidth_gbs,
        f"{prefix}pim_energy_uj": report.pim.energy_uj,
        f"{prefix}non_pim_energy_uj": report.non_pim.energy_uj,
        f"{prefix}source": report.source,
    }


def _describe(report: PimReport) -> str:
    lines = [f"{report.workload} on {report.platform} ({report.source})",
             f"  non-PIM {report.non_pim.cycles} cycles, PIM {report.pim.cycles} cycles, "
             f"speed-up {report.speedup:.2f}"]
    for ph in report.pim.phases:
        lines.append(f"  PIM {ph.phase:<16} {ph.cycles:>10} cycles ({ph.share:6.1%})")
    lines += [f"  note: {n}" for n in report.notes]
    return "\n".join(lines)


def report_to_run_result(report: PimReport | list[PimReport],
                         min_speedup: float | None = None) -> RunResult:
    """One test per workload (passed, or checked against ``min_speedup`` when given); metrics
    carry the cycles, speed-up, bandwidths, utilisation and energy."""
    reports = report if isinstance(report, list) else [report]
    tests: list[TestResult] = []
    metrics: dict[str, float | int | str] = {}
    for i, r in enumerate(reports):
        ok = min_speedup is None or r.speedup >= min_speedup
        tests.append(TestResult(
            name=f"{r.workload}: speed-up {r.speedup:.2f}", score=1.0 if ok else 0.0,
            max_score=1.0, status="passed" if ok else "failed", output=_describe(r),
            tags=["pim", r.kind]))
        metrics.update(report_metrics(r, "" if len(reports) == 1 else f"{i}."))
    score = sum(t.score for t in tests)
    results = GradescopeResults(score=score, tests=tests,
                                output="\n\n".join(_describe(r) for r in reports))
    return RunResult(outcome=Outcome.SUCCESS, metrics=metrics, results=results)


def run_backend(run_file: str) -> RunResult:
    """The farm's ``pim`` backend: run a run file (see :mod:`remote.pim.runconfig`) and return
    the RunResult. A bad run file is the submitter's error (``runtime_error`` with the one-line
    reason); a missing PIMSimulator is an infrastructure error."""
    from core.errors import ChipError, InfrastructureError

    from .cli import run_config
    from .runconfig import load_run_config

    try:
        reports = run_config(load_run_config(run_file))
    except InfrastructureError as exc:
        return RunResult(outcome=Outcome.INFRASTRUCTURE_ERROR, message=exc.message)
    except ChipError as exc:
        return RunResult(outcome=Outcome.RUNTIME_ERROR, message=exc.message,
                         results=GradescopeResults(score=0.0, output=exc.message))
    return report_to_run_result(reports)
