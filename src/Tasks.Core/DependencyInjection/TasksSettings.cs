using Microsoft.Extensions.Configuration;

namespace Tasks;

/// <summary>Application-wide settings collected by <see cref="TasksBuilder"/>; one instance per service collection.</summary>
internal sealed class TasksSettings
{
    public string? DefaultBackend { get; set; }

    public ITaskSerializer Serializer { get; set; } = SystemTextJsonTaskSerializer.Default;

    public IConfiguration? Configuration { get; set; }

    /// <summary>Whether to check at enqueue that the arguments read back; catches types that serialize but cannot be read.</summary>
    public bool VerifyRoundTrip { get; set; } = true;
}
