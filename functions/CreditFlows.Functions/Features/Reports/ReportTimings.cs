using System.Diagnostics;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// Where a weekly report build spent its time: reading the NPL job's storage (day totals, the two snapshots diffed branch
/// by branch, the ledger, warnings), computing the numbers, rendering the files (HTML, charts, .xlsx, .csv) and the archive
/// (looking for reports already archived, writing the blobs, reading the reports back). The timer function logs it; the
/// benchmark prints it. Phases are counted one after another, so they add up to the build's wall time; a scope's blobs are
/// written while the other scopes render, so "render" includes the writes that overlapped it and "archive" is what was
/// left to write after the last file was rendered. "Build" is therefore not a build without the archive any more.
/// </summary>
public sealed class ReportTimings
{
    public TimeSpan Read { get; private set; }

    public TimeSpan Compute { get; private set; }

    public TimeSpan Render { get; private set; }

    public TimeSpan Archive { get; private set; }

    /// <summary>Read + compute + render (with the archive writes that overlapped the rendering).</summary>
    public TimeSpan Build => Read + Compute + Render;

    public void AddRead(Stopwatch lap) => Read += Lap(lap);

    public void AddCompute(Stopwatch lap) => Compute += Lap(lap);

    public void AddRender(Stopwatch lap) => Render += Lap(lap);

    public void AddArchive(Stopwatch lap) => Archive += Lap(lap);

    public override string ToString() =>
        $"read {Read.TotalSeconds:0.00} s, compute {Compute.TotalSeconds:0.00} s, render {Render.TotalSeconds:0.00} s, archive {Archive.TotalSeconds:0.00} s";

    private static TimeSpan Lap(Stopwatch lap)
    {
        var elapsed = lap.Elapsed;
        lap.Restart();
        return elapsed;
    }
}
