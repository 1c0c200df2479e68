using System.Text.Json;
using Tasks.Redis.Internal;

namespace Tasks.Redis;

/// <summary>
/// A task whose stored envelope (or result) could not be read, moved aside to the dead-letter list
/// <c>&lt;prefix&gt;:dead</c> (newest first); its result was marked Failed with a <see cref="TaskPayloadException"/>.
/// </summary>
/// <param name="Id">The task id.</param>
/// <param name="Queue">The queue it was taken from.</param>
/// <param name="Error">Why it could not be read.</param>
/// <param name="At">When it was moved aside (UTC).</param>
/// <param name="Payload">The stored envelope text, exactly as found.</param>
public sealed record RedisDeadLetter(string Id, string Queue, string Error, DateTimeOffset At, string Payload)
{
    internal static string Serialize(RedisDeadLetter entry) => JsonSerializer.Serialize(entry, RedisJsonContext.Default.RedisDeadLetter);

    internal static RedisDeadLetter Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RedisJsonContext.Default.RedisDeadLetter) ?? throw new TaskPayloadException("A dead-letter entry is empty (JSON null).");
        }
        catch (JsonException ex)
        {
            throw new TaskPayloadException($"A dead-letter entry is not valid: {ex.Message}", ex);
        }
    }
}
