using System.Runtime.InteropServices;

namespace Tasks.Benchmarks.Harness;

/// <summary>What the figures were measured on, for the header of the results.</summary>
public sealed record MachineInfo(int Cores, double MemoryGiB, string Os, string Cpu, string Runtime)
{
    /// <summary>This machine.</summary>
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024),
        RuntimeInformation.OSDescription,
        CpuModel(),
        RuntimeInformation.FrameworkDescription);

    /// <summary>One line, e.g. "2 cores, 23.5 GiB, Debian GNU/Linux 12, Intel Xeon ..., .NET 10.0.1".</summary>
    public override string ToString() =>
        $"{Cores} cores, {MemoryGiB:0.0} GiB, {Os}{(Cpu.Length > 0 ? ", " + Cpu : string.Empty)}, {Runtime}";

    private static string CpuModel()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? string.Empty
                : string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
