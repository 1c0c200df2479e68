using System.Text.Encodings.Web;
using System.Text.Json;
using Quartz.Impl;

namespace Tasks.Quartz;

/// <summary>
/// Quartz's own JSON serializer for the job store, writing with minimal escaping. A task's job data is its envelope
/// as a JSON string; the default encoder writes every quote inside it as <c>\u0022</c>, which made the stored job data
/// about 75 % larger than the envelope and every enqueue measurably slower. The bytes only ever go to the database and
/// back, never into a page, so the relaxed encoder is safe; any JSON reader, Quartz's included, reads both forms.
/// </summary>
internal sealed class QuartzJobDataSerializer : SystemTextJsonObjectSerializer
{
    /// <inheritdoc />
    protected override JsonSerializerOptions CreateSerializerOptions()
    {
        var options = base.CreateSerializerOptions();
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return options;
    }
}
