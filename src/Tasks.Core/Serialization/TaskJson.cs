using System.Text.Json;

namespace Tasks;

/// <summary>The one wire format for envelopes and results, shared by every adapter that stores them as text.</summary>
public static class TaskJson
{
    /// <summary>Serializes an envelope.</summary>
    public static string Serialize(TaskEnvelope envelope) => JsonSerializer.Serialize(envelope, TaskJsonContext.Default.TaskEnvelope);

    /// <summary>Serializes an envelope to UTF-8: the same JSON as <see cref="Serialize(TaskEnvelope)"/>, for stores that take bytes.</summary>
    public static byte[] SerializeToUtf8Bytes(TaskEnvelope envelope) => JsonSerializer.SerializeToUtf8Bytes(envelope, TaskJsonContext.Default.TaskEnvelope);

    /// <summary>Serializes a result (without its attached serializer).</summary>
    public static string Serialize(TaskResult result) => JsonSerializer.Serialize(result, TaskJsonContext.Default.TaskResult);

    /// <summary>Reads an envelope.</summary>
    /// <exception cref="TaskPayloadException">The text is not a valid envelope.</exception>
    public static TaskEnvelope DeserializeEnvelope(string json) => Read(json, TaskJsonContext.Default.TaskEnvelope, "task envelope");

    /// <summary>Reads a result.</summary>
    /// <exception cref="TaskPayloadException">The text is not a valid result.</exception>
    public static TaskResult DeserializeResult(string json) => Read(json, TaskJsonContext.Default.TaskResult, "task result");

    private static T Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, info) ?? throw new TaskPayloadException($"The {what} is empty (JSON null).");
        }
        catch (JsonException ex)
        {
            throw new TaskPayloadException($"The {what} is not valid: {ex.Message}", ex);
        }
    }
}
