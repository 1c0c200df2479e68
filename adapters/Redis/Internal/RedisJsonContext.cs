using System.Text.Json.Serialization;

namespace Tasks.Redis.Internal;

/// <summary>Source-generated JSON of the adapter's own records.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RedisDeadLetter))]
internal sealed partial class RedisJsonContext : JsonSerializerContext
{
}
