using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tasks;

/// <summary>The default serializer: System.Text.Json with web naming, and no type names in the payload.</summary>
public sealed class SystemTextJsonTaskSerializer : ITaskSerializer
{
    /// <summary>An instance with the default options.</summary>
    public static SystemTextJsonTaskSerializer Default { get; } = new();

    /// <summary>Creates a serializer; <paramref name="options"/> defaults to web defaults.</summary>
    public SystemTextJsonTaskSerializer(JsonSerializerOptions? options = null)
    {
        Options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // Numbers as numbers, never strings: payloads stay readable in engine dashboards.
            NumberHandling = JsonNumberHandling.Strict,
        };
    }

    /// <summary>The options in use.</summary>
    public JsonSerializerOptions Options { get; }

    /// <inheritdoc />
    public string Serialize(object? value, Type type) => JsonSerializer.Serialize(value, type, Options);

    /// <inheritdoc />
    public object? Deserialize(string payload, Type type) => JsonSerializer.Deserialize(payload, type, Options);
}
