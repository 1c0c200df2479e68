using System.Text.Json.Serialization;

namespace Tasks;

/// <summary>Source-generated JSON for the library's own records, so adapters store envelopes and results fast.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskEnvelope))]
[JsonSerializable(typeof(TaskResult))]
internal sealed partial class TaskJsonContext : JsonSerializerContext
{
}
