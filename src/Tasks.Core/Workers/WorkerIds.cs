namespace Tasks.Workers;

/// <summary>Makes worker ids that say where a worker ran: host, process and a random suffix.</summary>
public static class WorkerIds
{
    /// <summary>A new id like <c>host:1234:1a2b3c</c>.</summary>
    public static string Create() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
}
