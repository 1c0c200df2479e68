using System.Diagnostics;

namespace Tasks.Benchmarks.Harness;

/// <summary>
/// CPU time of everything that does a benchmark's work on this machine: the harness process (the producer), the worker
/// process, and the local servers (PostgreSQL backends, <c>redis-server</c>, RabbitMQ's <c>beam.smp</c>). The difference
/// of two readings over a phase, divided by its tasks, is what a task costs in CPU whichever process spends it; it is
/// much less sensitive than a rate to what else the shared cores are doing.
/// </summary>
/// <remarks>
/// Servers are found by process name at each reading, so a PostgreSQL backend that exits during a phase takes its CPU
/// with it (the benchmark's connections are pooled, so its backends live through a phase). Idle servers and the other
/// side's idle worker add a little to every phase alike.
/// </remarks>
public sealed class CpuMeter
{
    private readonly string[] _serverNames = ["postgres", "redis-server", "beam.smp"];

    /// <summary>The CPU time used so far by this process, <paramref name="worker"/> and the local servers.</summary>
    public TimeSpan Read(WorkerProcess worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        using var self = Process.GetCurrentProcess();
        var total = self.TotalProcessorTime + worker.TotalProcessorTime;
        foreach (var name in _serverNames)
        {
            foreach (var process in Process.GetProcessesByName(name))
            {
                using (process)
                {
                    try
                    {
                        total += process.TotalProcessorTime;
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // Exited between the listing and the read.
                    }
                }
            }
        }

        return total;
    }
}
