/*
 * Unit tests for src/protocol/anthropic.c: every mapping both ways, both stream directions event by
 * event, and malformed inputs (every field of valid inputs replaced by every wrong type).
 * JSON literals are written with ' for " (see J()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/anthropic.h"
#include "sovereign/sovereign.h"

/* ---- helpers ----------------------------------------------------------------------------------- */

/* Parses a JSON literal written with ' for " (a literal apostrophe can be written \x01). */
static json_t *J(const char *lit)
{
    size_t n = strlen(lit);
    char *s = malloc(n + 1);
    assert_non_null(s);
    for (size_t i = 0; i <= n; i++)
        s[i] = lit[i] == '\'' ? '"' : lit[i] == '\x01' ? '\'' : lit[i];
    json_error_t je;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("bad test JSON: %s (%s)", je.text, s);
    free(s);
    return v;
}

/* Text form of a J() literal. */
static char *T(const char *lit)
{
    size_t n = strlen(lit);
    char *s = malloc(n + 1);
    assert_non_null(s);
    for (size_t i = 0; i <= n; i++)
        s[i] = lit[i] == '\'' ? '"' : lit[i];
    return s;
}

static void assert_json_eq(const json_t *got, const json_t *want)
{
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        char *w = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        print_error("got:  %s\nwant: %s\n", g ? g : "(null)", w ? w : "(null)");
        free(g);
        free(w);
        fail();
    }
}

/* Checks got == J(want_lit) and releases got. */
static void check(json_t *got, const char *want_lit)
{
    assert_non_null(got);
    json_t *want = J(want_lit);
    assert_json_eq(got, want);
    json_decref(want);
    json_decref(got);
}

static json_t *a1(const char *lit, char **err)
{
    json_t *in = J(lit);
    json_t *out = sov_anthropic_request_from_openai(in, NULL, err);
    json_decref(in);
    return out;
}

/* Expects an error whose message contains `sub`. */
static void a1_fails(const char *lit, const char *sub)
{
    char *err = NULL;
    json_t *out = a1(lit, &err);
    if (out) {
        char *g = json_dumps(out, JSON_COMPACT);
        print_error("unexpected success: %s\n", g);
        free(g);
        fail();
    }
    assert_non_null(err);
    if (!strstr(err, sub))
        fail_msg("error \"%s\" lacks \"%s\"", err, sub);
    free(err);
}

static json_t *b4(const char *lit, char **err, const char **param)
{
    json_t *in = J(lit);
    json_t *out = sov_anthropic_request_to_openai(in, err, param);
    json_decref(in);
    return out;
}

static void b4_fails(const char *lit, const char *param, const char *sub)
{
    char *err = NULL;
    const char *p = "unset";
    json_t *out = b4(lit, &err, &p);
    if (out) {
        char *g = json_dumps(out, JSON_COMPACT);
        print_error("unexpected success: %s\n", g);
        free(g);
        fail();
    }
    assert_non_null(err);
    if (!strstr(err, sub))
        fail_msg("error \"%s\" lacks \"%s\"", err, sub);
    if (param)
        assert_string_equal(p, param);
    else
        assert_null(p);
    free(err);
}

/* Collects chunks / events as parsed JSON (with "created" dropped) into an array. */
static void collect_chunk(void *ud, const char *json, size_t len)
{
    json_error_t je;
    json_t *v = json_loadb(json, len, 0, &je);
    if (!v)
        fail_msg("callback got invalid JSON: %.*s", (int)len, json);
    assert_true(json_is_integer(json_object_get(v, "created")));
    json_object_del(v, "created");
    json_array_append_new((json_t *)ud, v);
}

static void collect_event(void *ud, const char *name, const char *json, size_t len)
{
    json_error_t je;
    json_t *v = json_loadb(json, len, 0, &je);
    if (!v)
        fail_msg("callback got invalid JSON: %.*s", (int)len, json);
    /* the SSE event name is always the data's type */
    assert_string_equal(name, json_string_value(json_object_get(v, "type")));
    json_array_append_new((json_t *)ud, v);
}

static void ignore_chunk(void *ud, const char *json, size_t len)
{
    (void)ud;
    /* still must be valid JSON */
    json_error_t je;
    json_t *v = json_loadb(json, len, 0, &je);
    assert_non_null(v);
    json_decref(v);
}

static void ignore_event(void *ud, const char *name, const char *json, size_t len)
{
    (void)name;
    ignore_chunk(ud, json, len);
}

static void ignore_chunk_any(void *ud, const char *json, size_t len)
{
    (void)ud, (void)json, (void)len;
}

static void ignore_event_any(void *ud, const char *name, const char *json, size_t len)
{
    (void)ud, (void)name, (void)json, (void)len;
}

static int feed_a(struct sov_anthropic_stream *st, const char *event, const char *lit, json_t *out)
{
    char *s = T(lit);
    int rc = sov_anthropic_stream_feed(st, event, s, strlen(s), collect_chunk, out);
    free(s);
    return rc;
}

static int feed_b(struct sov_openai_to_anthropic_stream *st, const char *lit, json_t *out)
{
    char *s = T(lit);
    int rc = sov_openai_to_anthropic_stream_feed(st, s, strlen(s), collect_event, out);
    free(s);
    return rc;
}

/* ======================================================================================================
 * A1. OpenAI request -> Anthropic request
 * ==================================================================================================== */

static void t_a1_basic(void **state)
{
    (void)state;
    char *err = NULL;
    json_t *out = a1("{'model':'gpt-x','messages':["
                     "{'role':'system','content':'You are terse.'},"
                     "{'role':'developer','content':[{'type':'text','text':'Answer in French.'}]},"
                     "{'role':'user','content':'Hi'}],"
                     "'temperature':0.5,'top_p':0.9,'stop':'END','stream':true,'user':'u-42',"
                     "'seed':7,'presence_penalty':0.1,'logprobs':false,'stream_options':{'include_usage':true}}",
                     &err);
    assert_null(err);
    check(out, "{'model':'gpt-x','max_tokens':4096,'system':'You are terse.\\nAnswer in French.',"
               "'messages':[{'role':'user','content':[{'type':'text','text':'Hi'}]}],"
               "'temperature':0.5,'top_p':0.9,'stop_sequences':['END'],'stream':true,'metadata':{'user_id':'u-42'}}");
}

static void t_a1_model_override_and_max_tokens(void **state)
{
    (void)state;
    json_t *in = J("{'model':'auto','max_tokens':100,'max_completion_tokens':200,'temperature':1.7,"
                   "'stop':['a','b'],'messages':[{'role':'user','content':'x'}]}");
    json_t *out = sov_anthropic_request_from_openai(in, "claude-sonnet-4-0", NULL);
    json_decref(in);
    /* max_completion_tokens wins; temperature is clamped to Anthropic's range */
    check(out, "{'model':'claude-sonnet-4-0','max_tokens':200,'temperature':1.0,'stop_sequences':['a','b'],"
               "'messages':[{'role':'user','content':[{'type':'text','text':'x'}]}]}");
    check(a1("{'model':'m','max_tokens':10,'messages':[{'role':'user','content':'x'}]}", NULL),
          "{'model':'m','max_tokens':10,'messages':[{'role':'user','content':[{'type':'text','text':'x'}]}]}");
}

static void t_a1_multiturn_merge(void **state)
{
    (void)state;
    /* consecutive same-role turns merge; an empty assistant turn disappears and its neighbours merge */
    check(a1("{'model':'m','messages':["
             "{'role':'user','content':'one'},{'role':'user','content':'two'},"
             "{'role':'assistant','content':'ans'},{'role':'assistant','content':[{'type':'text','text':'more'}]},"
             "{'role':'user','content':'three'},{'role':'assistant','content':''},{'role':'user','content':'four'},"
             "{'role':'system','content':'late system'}]}",
             NULL),
          "{'model':'m','max_tokens':4096,'system':'late system','messages':["
          "{'role':'user','content':[{'type':'text','text':'one'},{'type':'text','text':'two'}]},"
          "{'role':'assistant','content':[{'type':'text','text':'ans'},{'type':'text','text':'more'}]},"
          "{'role':'user','content':[{'type':'text','text':'three'},{'type':'text','text':'four'}]}]}");
}

static void t_a1_system_edges(void **state)
{
    (void)state;
    /* a one-character system prompt survives; empty system turns add no blank lines; top_k passes */
    check(a1("{'model':'m','top_k':5,'messages':[{'role':'system','content':'A'},{'role':'system','content':''},"
             "{'role':'developer','content':null},{'role':'system','content':'B'},{'role':'user','content':'x'}]}",
             NULL),
          "{'model':'m','max_tokens':4096,'top_k':5,'system':'A\\nB','messages':[{'role':'user','content':[{'type':'text','text':'"
          "x'}]}]}");
}

static void t_a1_images(void **state)
{
    (void)state;
    check(a1("{'model':'m','messages':[{'role':'user','content':["
             "{'type':'text','text':'what is this?'},"
             "{'type':'image_url','image_url':{'url':'data:image/png;base64,iVBORw0KGgo=','detail':'high'}},"
             "{'type':'image_url','image_url':{'url':'https://example.com/cat.jpg'}}]}]}",
             NULL),
          "{'model':'m','max_tokens':4096,'messages':[{'role':'user','content':["
          "{'type':'text','text':'what is this?'},"
          "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBORw0KGgo='}},"
          "{'type':'image','source':{'type':'url','url':'https://example.com/cat.jpg'}}]}]}");
    a1_fails("{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'ftp://x/y.png'}}]}]}",
             "messages.0.content.0.image_url.url");
    a1_fails("{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:image/png,abc'}}]}]}",
             "base64");
    a1_fails("{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:;base64,'}}]}]}",
             "media type");
    a1_fails("{'model':'m','messages':[{'role':'user','content':[{'type':'input_audio','input_audio':{}}]}]}", "not supported");
    a1_fails("{'model':'m','messages':[{'role':'assistant','content':[{'type':'image_url','image_url':{'url':'https://x'}}]}]}",
             "not supported");
}

static void t_a1_tools(void **state)
{
    (void)state;
    const char *tools = "'tools':[{'type':'function','function':{'name':'get_weather','description':'Weather now',"
                        "'parameters':{'type':'object','properties':{'city':{'type':'string'}},'required':['city']}}},"
                        "{'type':'function','function':{'name':'noargs'}}]";
    char body[2048];
    snprintf(body, sizeof body,
             "{'model':'m',%s,'tool_choice':'required','parallel_tool_calls':false,'messages':["
             "{'role':'user','content':'Weather in Paris and Rome?'},"
             "{'role':'assistant','content':null,'tool_calls':["
             "{'id':'call_1','type':'function','function':{'name':'get_weather','arguments':'{\\'city\\':\\'Paris\\'}'}},"
             "{'id':'call_2','type':'function','function':{'name':'get_weather','arguments':' {\\'city\\': \\'Rome\\'} '}},"
             "{'id':'call_3','type':'function','function':{'name':'noargs','arguments':''}}]},"
             "{'role':'tool','tool_call_id':'call_1','content':'18C'},"
             "{'role':'tool','tool_call_id':'call_2','content':[{'type':'text','text':'21C'},{'type':'text','text':'sunny'}]},"
             "{'role':'tool','tool_call_id':'call_3','content':''},"
             "{'role':'user','content':'Thanks'}]}",
             tools);
    check(a1(body, NULL),
          "{'model':'m','max_tokens':4096,"
          "'tools':[{'name':'get_weather','description':'Weather now','input_schema':{'type':'object',"
          "'properties':{'city':{'type':'string'}},'required':['city']}},"
          "{'name':'noargs','input_schema':{'type':'object','properties':{}}}],"
          "'tool_choice':{'type':'any','disable_parallel_tool_use':true},"
          "'messages':[{'role':'user','content':[{'type':'text','text':'Weather in Paris and Rome?'}]},"
          "{'role':'assistant','content':[{'type':'tool_use','id':'call_1','name':'get_weather','input':{'city':'Paris'}},"
          "{'type':'tool_use','id':'call_2','name':'get_weather','input':{'city':'Rome'}},"
          "{'type':'tool_use','id':'call_3','name':'noargs','input':{}}]},"
          "{'role':'user','content':[{'type':'tool_result','tool_use_id':'call_1','content':'18C'},"
          "{'type':'tool_result','tool_use_id':'call_2','content':'21C\\nsunny'},"
          "{'type':'tool_result','tool_use_id':'call_3'},"
          "{'type':'text','text':'Thanks'}]}]}");

    /* tool_choice variants */
    static const struct {
        const char *openai, *anthropic;
    } choices[] = {
        {"'none'", "{'type':'none'}"},
        {"'auto'", "{'type':'auto'}"},
        {"'required'", "{'type':'any'}"},
        {"{'type':'function','function':{'name':'get_weather'}}", "{'type':'tool','name':'get_weather'}"},
    };
    for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
        snprintf(body, sizeof body, "{'model':'m',%s,'tool_choice':%s,'messages':[{'role':'user','content':'x'}]}", tools,
                 choices[i].openai);
        json_t *out = a1(body, NULL);
        assert_non_null(out);
        json_t *want = J(choices[i].anthropic);
        assert_json_eq(json_object_get(out, "tool_choice"), want);
        json_decref(want);
        json_decref(out);
    }
    /* parallel_tool_calls false alone -> auto with parallel use disabled; tool_choice without tools is dropped */
    snprintf(body, sizeof body, "{'model':'m',%s,'parallel_tool_calls':false,'messages':[{'role':'user','content':'x'}]}", tools);
    json_t *out = a1(body, NULL);
    json_t *want = J("{'type':'auto','disable_parallel_tool_use':true}");
    assert_json_eq(json_object_get(out, "tool_choice"), want);
    json_decref(want);
    json_decref(out);
    out = a1("{'model':'m','tool_choice':'auto','messages':[{'role':'user','content':'x'}]}", NULL);
    assert_non_null(out);
    assert_null(json_object_get(out, "tool_choice"));
    json_decref(out);

    a1_fails("{'model':'m','messages':[{'role':'assistant','tool_calls':[{'id':'c','type':'function','function':"
             "{'name':'f','arguments':'{not json'}}]}]}",
             "messages.0.tool_calls.0.function.arguments");
    a1_fails("{'model':'m','messages':[{'role':'assistant','tool_calls':[{'id':'c','type':'function','function':"
             "{'name':'f','arguments':'[1,2]'}}]}]}",
             "must be a JSON object");
    a1_fails("{'model':'m','messages':[{'role':'assistant','tool_calls':[{'type':'function','function':{'name':'f'}}]}]}",
             "id and function.name");
    a1_fails("{'model':'m','messages':[{'role':'tool','content':'x'}]}", "tool_call_id");
    a1_fails("{'model':'m','tools':[{'type':'code_interpreter'}],'messages':[{'role':'user','content':'x'}]}",
             "only function tools");
    a1_fails("{'model':'m','tools':[{'type':'function','function':{'name':'f','parameters':'x'}}],"
             "'messages':[{'role':'user','content':'x'}]}",
             "parameters an object");
    snprintf(body, sizeof body, "{'model':'m',%s,'tool_choice':'sometimes','messages':[{'role':'user','content':'x'}]}", tools);
    a1_fails(body, "tool_choice");
}

static void t_a1_errors(void **state)
{
    (void)state;
    a1_fails("[1]", "JSON object");
    a1_fails("{'messages':[{'role':'user','content':'x'}]}", "model");
    a1_fails("{'model':'m','n':2,'messages':[{'role':'user','content':'x'}]}", "n = 1");
    a1_fails("{'model':'m','n':'1','messages':[{'role':'user','content':'x'}]}", "n = 1");
    a1_fails("{'model':'m','messages':[]}", "non-empty");
    a1_fails("{'model':'m','messages':{}}", "non-empty");
    a1_fails("{'model':'m','messages':[{'role':'wizard','content':'x'}]}", "messages.0.role");
    a1_fails("{'model':'m','messages':[{'content':'x'}]}", "messages.0.role");
    a1_fails("{'model':'m','messages':[7]}", "messages.0.role");
    a1_fails("{'model':'m','messages':[{'role':'user','content':5}]}", "messages.0.content");
    a1_fails("{'model':'m','messages':[{'role':'user','content':[{'type':'text','text':5}]}]}", "messages.0.content.0.text");
    a1_fails("{'model':'m','messages':[{'role':'user','content':[{'text':'x'}]}]}", "messages.0.content.0.type");
    a1_fails("{'model':'m','messages':[{'role':'system','content':[{'type':'image_url'}]}]}", "messages.0.content");
    a1_fails("{'model':'m','messages':[{'role':'user','content':''}]}", "no user or assistant content");
    a1_fails("{'model':'m','messages':[{'role':'system','content':'only system'}]}", "no user or assistant content");
    a1_fails("{'model':'m','max_tokens':0,'messages':[{'role':'user','content':'x'}]}", "max_tokens");
    a1_fails("{'model':'m','max_tokens':'10','messages':[{'role':'user','content':'x'}]}", "max_tokens");
    a1_fails("{'model':'m','temperature':'hot','messages':[{'role':'user','content':'x'}]}", "temperature");
    a1_fails("{'model':'m','stop':[1],'messages':[{'role':'user','content':'x'}]}", "stop.0");
    a1_fails("{'model':'m','stop':3,'messages':[{'role':'user','content':'x'}]}", "stop");
    a1_fails("{'model':'m','stream':'yes','messages':[{'role':'user','content':'x'}]}", "stream");
    a1_fails("{'model':'m','response_format':{'type':'json_object'},'messages':[{'role':'user','content':'x'}]}",
             "response_format");
    a1_fails("{'model':'m','functions':[],'messages':[{'role':'user','content':'x'}]}", "functions");
    a1_fails("{'model':'m','top_k':'3','messages':[{'role':'user','content':'x'}]}", "top_k");
    a1_fails("{'model':'m','tool_choice':5,'messages':[{'role':'user','content':'x'}]}", "tool_choice");
    a1_fails("{'model':'m','messages':[{'role':'function','name':'f','content':'x'}]}", "not supported");
    /* harmless: response_format text, n = 1, null fields */
    json_t *out = a1("{'model':'m','n':1,'response_format':{'type':'text'},'stop':null,'temperature':null,'tools':null,"
                     "'messages':[{'role':'user','content':'x'}]}",
                     NULL);
    assert_non_null(out);
    json_decref(out);
    /* err may be NULL */
    json_t *in = J("{'model':'m','messages':[]}");
    assert_null(sov_anthropic_request_from_openai(in, NULL, NULL));
    json_decref(in);
    assert_null(sov_anthropic_request_from_openai(NULL, "m", NULL));
}

/* ======================================================================================================
 * A2. Anthropic response -> OpenAI chat.completion
 * ==================================================================================================== */

static json_t *a2(const char *lit, char **err)
{
    json_t *in = J(lit);
    json_t *out = sov_anthropic_response_to_openai(in, err);
    json_decref(in);
    if (out) {
        assert_true(json_is_integer(json_object_get(out, "created")));
        json_object_del(out, "created");
    }
    return out;
}

static void t_a2_text(void **state)
{
    (void)state;
    check(a2("{'id':'msg_01ABC','type':'message','role':'assistant','model':'claude-sonnet-4-0',"
             "'content':[{'type':'text','text':'Hello'},{'type':'thinking','thinking':'hm','signature':'s'},"
             "{'type':'text','text':', world'}],"
             "'stop_reason':'end_turn','stop_sequence':null,"
             "'usage':{'input_tokens':10,'cache_creation_input_tokens':5,'cache_read_input_tokens':20,'output_tokens':7}}",
             NULL),
          "{'id':'chatcmpl-01ABC','object':'chat.completion','model':'claude-sonnet-4-0',"
          "'choices':[{'index':0,'message':{'role':'assistant','content':'Hello, world','refusal':null},"
          "'logprobs':null,'finish_reason':'stop'}],"
          "'usage':{'prompt_tokens':35,'completion_tokens':7,'total_tokens':42,'prompt_tokens_details':{'cached_tokens':20}}}");
}

static void t_a2_tool_use(void **state)
{
    (void)state;
    check(a2("{'id':'msg_1','type':'message','role':'assistant','model':'c',"
             "'content':[{'type':'text','text':'Let me check.'},"
             "{'type':'tool_use','id':'toolu_1','name':'get_weather','input':{'city':'Paris','days':[1,2]}},"
             "{'type':'tool_use','id':'toolu_2','name':'noargs','input':{}}],"
             "'stop_reason':'tool_use','usage':{'input_tokens':3,'output_tokens':4}}",
             NULL),
          "{'id':'chatcmpl-1','object':'chat.completion','model':'c',"
          "'choices':[{'index':0,'message':{'role':'assistant','content':'Let me check.','refusal':null,'tool_calls':["
          "{'id':'toolu_1','type':'function','function':{'name':'get_weather','arguments':'{\\'city\\':\\'Paris\\',\\'days\\':[1,2]"
          "}'}},"
          "{'id':'toolu_2','type':'function','function':{'name':'noargs','arguments':'{}'}}]},"
          "'logprobs':null,'finish_reason':'tool_calls'}],"
          "'usage':{'prompt_tokens':3,'completion_tokens':4,'total_tokens':7,'prompt_tokens_details':{'cached_tokens':0}}}");
    /* only tool use: content null */
    json_t *out = a2("{'id':'msg_1','model':'c','content':[{'type':'tool_use','id':'t','name':'f','input':{}}],"
                     "'stop_reason':'tool_use'}",
                     NULL);
    assert_non_null(out);
    json_t *msg = json_object_get(json_array_get(json_object_get(out, "choices"), 0), "message");
    assert_true(json_is_null(json_object_get(msg, "content")));
    json_decref(out);
}

static void t_a2_stop_reasons(void **state)
{
    (void)state;
    static const char *const map[][2] = {
        {"'end_turn'", "stop"},          {"'stop_sequence'", "stop"}, {"'max_tokens'", "length"}, {"'tool_use'", "tool_calls"},
        {"'refusal'", "content_filter"}, {"'pause_turn'", "stop"},    {"null", "stop"},           {"'something_new'", "stop"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char body[256];
        snprintf(body, sizeof body, "{'id':'msg_x','model':'c','content':[],'stop_reason':%s}", map[i][0]);
        json_t *out = a2(body, NULL);
        assert_non_null(out);
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "choices"), 0), "finish_reason")),
                            map[i][1]);
        json_decref(out);
    }
}

static void t_a2_errors(void **state)
{
    (void)state;
    char *err = NULL;
    assert_null(a2("{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}", &err));
    assert_non_null(strstr(err, "Overloaded"));
    free(err), err = NULL;
    static const char *const bad[] = {
        "[]",
        "{'id':'m','content':'text'}",
        "{'content':[]}",
        "{'id':5,'content':[]}",
        "{'id':'m','content':[{'type':'text','text':1}]}",
        "{'id':'m','content':[{'type':'tool_use','name':'f'}]}",
        "{'id':'m','content':[{'text':'x'}]}",
        "{'id':'m','content':[],'stop_reason':3}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(a2(bad[i], &err));
        assert_non_null(err);
        free(err), err = NULL;
    }
    assert_null(sov_anthropic_response_to_openai(NULL, NULL));
}

/* ======================================================================================================
 * A3. Anthropic stream -> OpenAI chunks
 * ==================================================================================================== */

#define CH "'id':'chatcmpl-01XY','object':'chat.completion.chunk','model':'gw-model',"

static void t_a3_text_stream(void **state)
{
    (void)state;
    struct sov_anthropic_stream *st = sov_anthropic_stream_new("gw-model", true);
    json_t *got = json_array();
    assert_int_equal(
        feed_a(st, "message_start",
               "{'type':'message_start','message':{'id':'msg_01XY','type':'message','role':'assistant',"
               "'content':[],'model':'claude-x','stop_reason':null,'stop_sequence':null,"
               "'usage':{'input_tokens':25,'cache_read_input_tokens':5,'cache_creation_input_tokens':0,'output_tokens':1}}}",
               got),
        0);
    assert_int_equal(feed_a(st, "content_block_start",
                            "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}", got),
                     0);
    assert_int_equal(feed_a(st, "ping", "{'type':'ping'}", got), 0);
    assert_int_equal(feed_a(st, "content_block_delta",
                            "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Hello'}}", got),
                     0);
    assert_int_equal(feed_a(st, "content_block_delta",
                            "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':' \\'world\\'\\n'}}", got),
                     0);
    assert_int_equal(feed_a(st, "content_block_stop", "{'type':'content_block_stop','index':0}", got), 0);
    assert_false(sov_anthropic_stream_done(st));
    assert_null(sov_anthropic_stream_finish_reason(st));
    assert_int_equal(
        feed_a(st, "message_delta",
               "{'type':'message_delta','delta':{'stop_reason':'end_turn','stop_sequence':null},'usage':{'output_tokens':15}}",
               got),
        0);
    assert_string_equal(sov_anthropic_stream_finish_reason(st), "stop");
    assert_int_equal(feed_a(st, "message_stop", "{'type':'message_stop'}", got), 0);
    assert_true(sov_anthropic_stream_done(st));
    assert_null(sov_anthropic_stream_error(st, NULL));

    json_t *want =
        J("["
          "{" CH
          "'choices':[{'index':0,'delta':{'role':'assistant','content':''},'logprobs':null,'finish_reason':null}],'usage':null},"
          "{" CH "'choices':[{'index':0,'delta':{'content':'Hello'},'logprobs':null,'finish_reason':null}],'usage':null},"
          "{" CH "'choices':[{'index':0,'delta':{'content':' \\'world\\'\\n'},'logprobs':null,'finish_reason':null}],'usage':null},"
          "{" CH "'choices':[{'index':0,'delta':{},'logprobs':null,'finish_reason':'stop'}],'usage':null},"
          "{" CH "'choices':[],'usage':{'prompt_tokens':30,'completion_tokens':15,'total_tokens':45,"
          "'prompt_tokens_details':{'cached_tokens':5}}}]");
    assert_json_eq(got, want);
    json_decref(want);

    int64_t p, c, cached;
    sov_anthropic_stream_usage(st, &p, &c, &cached);
    assert_int_equal(p, 30);
    assert_int_equal(c, 15);
    assert_int_equal(cached, 5);
    sov_anthropic_stream_usage(st, NULL, NULL, NULL);
    /* after the end, feeding is refused */
    assert_int_equal(feed_a(st, "ping", "{'type':'ping'}", got), SOV_EINVAL);
    json_decref(got);
    sov_anthropic_stream_free(st);
    sov_anthropic_stream_free(NULL);
}

static void t_a3_tool_stream(void **state)
{
    (void)state;
    /* no include_usage: no usage key at all; model from message_start; event names may be NULL */
    struct sov_anthropic_stream *st = sov_anthropic_stream_new(NULL, false);
    json_t *got = json_array();
    static const char *const events[] = {
        "{'type':'message_start','message':{'id':'msg_7','type':'message','role':'assistant','content':[],'model':'claude-x',"
        "'stop_reason':null,'stop_sequence':null,'usage':{'input_tokens':100,'output_tokens':1}}}",
        "{'type':'content_block_start','index':0,'content_block':{'type':'thinking','thinking':'','signature':''}}",
        "{'type':'content_block_delta','index':0,'delta':{'type':'thinking_delta','thinking':'hmm'}}",
        "{'type':'content_block_delta','index':0,'delta':{'type':'signature_delta','signature':'sig'}}",
        "{'type':'content_block_stop','index':0}",
        "{'type':'content_block_start','index':1,'content_block':{'type':'text','text':''}}",
        "{'type':'content_block_delta','index':1,'delta':{'type':'text_delta','text':'Checking.'}}",
        "{'type':'content_block_stop','index':1}",
        "{'type':'content_block_start','index':2,'content_block':{'type':'tool_use','id':'toolu_A','name':'get_weather','input':{}}"
        "}",
        "{'type':'content_block_delta','index':2,'delta':{'type':'input_json_delta','partial_json':''}}",
        "{'type':'content_block_delta','index':2,'delta':{'type':'input_json_delta','partial_json':'{\\'city\\': '}}",
        "{'type':'content_block_delta','index':2,'delta':{'type':'input_json_delta','partial_json':'\\'Paris\\'}'}}",
        "{'type':'content_block_stop','index':2}",
        "{'type':'content_block_start','index':3,'content_block':{'type':'tool_use','id':'toolu_B','name':'time','input':{'tz':'"
        "UTC'}}}",
        "{'type':'content_block_stop','index':3}",
        "{'type':'message_delta','delta':{'stop_reason':'tool_use','stop_sequence':null},'usage':{'output_tokens':40}}",
        "{'type':'message_stop'}",
    };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        assert_int_equal(feed_a(st, NULL, events[i], got), 0);
    assert_true(sov_anthropic_stream_done(st));
    assert_string_equal(sov_anthropic_stream_finish_reason(st), "tool_calls");
#define CT "'id':'chatcmpl-7','object':'chat.completion.chunk','model':'claude-x',"
#define TAIL ",'logprobs':null,'finish_reason':null}]}"
    json_t *want = J(
        "["
        "{" CT "'choices':[{'index':0,'delta':{'role':'assistant','content':''}" TAIL ","
        "{" CT "'choices':[{'index':0,'delta':{'content':'Checking.'}" TAIL ","
        "{" CT "'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'toolu_A','type':'function',"
        "'function':{'name':'get_weather','arguments':''}}]}" TAIL ","
        "{" CT "'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{\\'city\\': '}}]}" TAIL ","
        "{" CT "'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'\\'Paris\\'}'}}]}" TAIL ","
        "{" CT "'choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'id':'toolu_B','type':'function',"
        "'function':{'name':'time','arguments':''}}]}" TAIL ","
        "{" CT "'choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'function':{'arguments':'{\\'tz\\':\\'UTC\\'}'}}]}" TAIL ","
        "{" CT "'choices':[{'index':0,'delta':{},'logprobs':null,'finish_reason':'tool_calls'}]}]");
    assert_json_eq(got, want);
    json_decref(want);
    int64_t p, c, cached;
    sov_anthropic_stream_usage(st, &p, &c, &cached);
    assert_int_equal(p, 100);
    assert_int_equal(c, 40);
    assert_int_equal(cached, -1);
    json_decref(got);
    sov_anthropic_stream_free(st);
}

static void t_a3_stop_without_delta(void **state)
{
    (void)state;
    /* message_stop without a stop_reason still ends with a finish chunk; max_tokens maps to length */
    struct sov_anthropic_stream *st = sov_anthropic_stream_new("m", true);
    json_t *got = json_array();
    assert_int_equal(feed_a(st, NULL, "{'type':'message_start','message':{'id':'msg_1','model':'c'}}", got), 0);
    assert_int_equal(feed_a(st, NULL, "{'type':'message_stop'}", got), 0);
    assert_int_equal(json_array_size(got), 3);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(got, 1), "choices"), 0), "finish_reason")),
        "stop");
    json_t *u = json_object_get(json_array_get(got, 2), "usage");
    assert_int_equal(json_integer_value(json_object_get(u, "prompt_tokens")), 0);
    int64_t p;
    sov_anthropic_stream_usage(st, &p, NULL, NULL);
    assert_int_equal(p, -1);
    json_decref(got);
    sov_anthropic_stream_free(st);

    st = sov_anthropic_stream_new("m", false);
    got = json_array();
    assert_int_equal(feed_a(st, NULL, "{'type':'message_start','message':{'id':'msg_1','model':'c'}}", got), 0);
    assert_int_equal(
        feed_a(st, NULL, "{'type':'message_delta','delta':{'stop_reason':'max_tokens'},'usage':{'output_tokens':9}}", got), 0);
    /* a second message_delta does not repeat the finish chunk */
    assert_int_equal(
        feed_a(st, NULL, "{'type':'message_delta','delta':{'stop_reason':'max_tokens'},'usage':{'output_tokens':10}}", got), 0);
    assert_int_equal(feed_a(st, NULL, "{'type':'message_stop'}", got), 0);
    assert_int_equal(json_array_size(got), 2);
    assert_string_equal(sov_anthropic_stream_finish_reason(st), "length");
    int64_t c;
    sov_anthropic_stream_usage(st, NULL, &c, NULL);
    assert_int_equal(c, 10);
    json_decref(got);
    sov_anthropic_stream_free(st);
}

static void t_a3_error_event(void **state)
{
    (void)state;
    struct sov_anthropic_stream *st = sov_anthropic_stream_new("m", false);
    json_t *got = json_array();
    assert_int_equal(feed_a(st, "message_start", "{'type':'message_start','message':{'id':'msg_1','model':'c'}}", got), 0);
    assert_int_equal(feed_a(st, "error", "{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}", got),
                     SOV_EUPSTREAM);
    const char *type = NULL;
    assert_string_equal(sov_anthropic_stream_error(st, &type), "Overloaded");
    assert_string_equal(type, "overloaded_error");
    assert_false(sov_anthropic_stream_done(st));
    assert_int_equal(json_array_size(got), 1);
    assert_int_equal(feed_a(st, NULL, "{'type':'message_stop'}", got), SOV_EINVAL);
    json_decref(got);
    sov_anthropic_stream_free(st);

    /* an error before anything else, with an error object missing fields */
    st = sov_anthropic_stream_new("m", false);
    got = json_array();
    assert_int_equal(feed_a(st, "error", "{'type':'error','error':7}", got), SOV_EUPSTREAM);
    assert_string_equal(sov_anthropic_stream_error(st, &type), "upstream stream error");
    assert_string_equal(type, "api_error");
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    sov_anthropic_stream_free(st);
}

static void t_a3_malformed(void **state)
{
    (void)state;
    const char *start = "{'type':'message_start','message':{'id':'msg_1','model':'c'}}";
    static const struct {
        bool after_start;
        const char *event;
        int rc;
    } cases[] = {
        {false, "not json", SOV_EPARSE},
        {false, "[1,2]", SOV_EPARSE},
        {false, "{'type':'content_block_start','index':0,'content_block':{'type':'text'}}", SOV_EPARSE},
        {false, "{'type':'message_start','message':'x'}", SOV_EPARSE},
        {true, "{'type':'message_start','message':{'id':'msg_2'}}", SOV_EPARSE},
        {true, "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'x'}}", SOV_EPARSE},
        {true, "{'type':'content_block_start','index':-1,'content_block':{'type':'text'}}", SOV_EPARSE},
        {true, "{'type':'content_block_start','index':'0','content_block':{'type':'text'}}", SOV_EPARSE},
        {true, "{'type':'content_block_start','index':99999999,'content_block':{'type':'text'}}", SOV_ELIMIT},
        {true, "{'type':'content_block_start','index':0,'content_block':5}", SOV_EPARSE},
        {true, "{'type':'content_block_start','index':0,'content_block':{'type':'tool_use','name':'f'}}", SOV_EPARSE},
        {true, "{'type':'content_block_stop','index':3}", SOV_EPARSE},
        {true, "{'type':'message_delta','delta':5}", SOV_EPARSE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sov_anthropic_stream *st = sov_anthropic_stream_new("m", true);
        json_t *got = json_array();
        if (cases[i].after_start)
            assert_int_equal(feed_a(st, NULL, start, got), 0);
        int rc = feed_a(st, NULL, cases[i].event, got);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d, want %d", i, rc, cases[i].rc);
        const char *type = NULL;
        assert_non_null(sov_anthropic_stream_error(st, &type));
        assert_string_equal(type, "api_error");
        assert_int_equal(feed_a(st, NULL, "{'type':'ping'}", got), SOV_EINVAL);
        json_decref(got);
        sov_anthropic_stream_free(st);
    }
    /* text_delta on a tool block, input_json_delta on a text block */
    struct sov_anthropic_stream *st = sov_anthropic_stream_new("m", true);
    json_t *got = json_array();
    assert_int_equal(feed_a(st, NULL, start, got), 0);
    assert_int_equal(feed_a(st, NULL, "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}", got),
                     0);
    assert_int_equal(
        feed_a(st, NULL, "{'type':'content_block_delta','index':0,'delta':{'type':'input_json_delta','partial_json':'{'}}", got),
        SOV_EPARSE);
    json_decref(got);
    sov_anthropic_stream_free(st);
    /* unknown event types are ignored; NULL arguments refused */
    st = sov_anthropic_stream_new("m", true);
    got = json_array();
    assert_int_equal(feed_a(st, "future_event", "{'type':'future_event'}", got), 0);
    assert_int_equal(sov_anthropic_stream_feed(st, NULL, NULL, 3, collect_chunk, got), SOV_EINVAL);
    assert_int_equal(sov_anthropic_stream_feed(st, NULL, "{}", 2, NULL, got), SOV_EINVAL);
    assert_int_equal(sov_anthropic_stream_feed(NULL, NULL, "{}", 2, collect_chunk, got), SOV_EINVAL);
    /* an event whose data has no type uses the SSE event name */
    assert_int_equal(sov_anthropic_stream_feed(st, "ping", "{}", 2, collect_chunk, got), 0);
    assert_int_equal(json_array_size(got), 0);
    assert_null(sov_anthropic_stream_error(st, NULL));
    json_decref(got);
    sov_anthropic_stream_free(st);
    assert_false(sov_anthropic_stream_done(NULL));
    assert_null(sov_anthropic_stream_error(NULL, NULL));
}

/* ======================================================================================================
 * B4. Anthropic request -> OpenAI request
 * ==================================================================================================== */

static void t_b4_basic(void **state)
{
    (void)state;
    char *err = NULL;
    const char *param = NULL;
    json_t *out = b4("{'model':'claude-sonnet-4-0','max_tokens':1024,'system':'Be brief.',"
                     "'messages':[{'role':'user','content':'Hello'},{'role':'assistant','content':'Hi!'},"
                     "{'role':'user','content':[{'type':'text','text':'Tell me a joke'}]}],"
                     "'stop_sequences':['\\n\\nHuman:'],'temperature':0.2,'top_p':0.8,'top_k':40,'stream':true,"
                     "'metadata':{'user_id':'u1'},'thinking':{'type':'disabled'}}",
                     &err, &param);
    assert_null(err);
    check(out, "{'model':'claude-sonnet-4-0','max_tokens':1024,'messages':["
               "{'role':'system','content':'Be brief.'},{'role':'user','content':'Hello'},"
               "{'role':'assistant','content':'Hi!'},{'role':'user','content':'Tell me a joke'}],"
               "'stop':['\\n\\nHuman:'],'temperature':0.2,'top_p':0.8,'stream':true,'stream_options':{'include_usage':true},"
               "'user':'u1'}");
    /* system as text blocks; several text blocks in a user turn stay parts */
    check(b4("{'model':'c','max_tokens':5,'system':[{'type':'text','text':'A','cache_control':{'type':'ephemeral'}},"
             "{'type':'text','text':'B'}],'stream':false,"
             "'messages':[{'role':'user','content':[{'type':'text','text':'x'},{'type':'text','text':'y'}]}]}",
             NULL, NULL),
          "{'model':'c','max_tokens':5,'messages':[{'role':'system','content':'A\\nB'},"
          "{'role':'user','content':[{'type':'text','text':'x'},{'type':'text','text':'y'}]}]}");
}

static void t_b4_images(void **state)
{
    (void)state;
    check(b4("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':["
             "{'type':'image','source':{'type':'base64','media_type':'image/jpeg','data':'/9j/4AAQ'}},"
             "{'type':'image','source':{'type':'url','url':'https://example.com/a.png'}},"
             "{'type':'text','text':'Compare'}]}]}",
             NULL, NULL),
          "{'model':'c','max_tokens':5,'messages':[{'role':'user','content':["
          "{'type':'image_url','image_url':{'url':'data:image/jpeg;base64,/9j/4AAQ'}},"
          "{'type':'image_url','image_url':{'url':'https://example.com/a.png'}},"
          "{'type':'text','text':'Compare'}]}]}");
}

static void t_b4_tools(void **state)
{
    (void)state;
    check(b4("{'model':'c','max_tokens':50,"
             "'tools':[{'name':'get_weather','description':'Weather','input_schema':{'type':'object','properties':{'city':{'type':'"
             "string'}}}},"
             "{'name':'noop','input_schema':{'type':'object'},'type':'custom'}],"
             "'tool_choice':{'type':'any','disable_parallel_tool_use':true},"
             "'messages':[{'role':'user','content':'Weather?'},"
             "{'role':'assistant','content':[{'type':'thinking','thinking':'t','signature':'s'},{'type':'text','text':'Checking'},"
             "{'type':'tool_use','id':'toolu_1','name':'get_weather','input':{'city':'Paris'}},"
             "{'type':'tool_use','id':'toolu_2','name':'noop','input':{}}]},"
             "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':'18C'},"
             "{'type':'tool_result','tool_use_id':'toolu_2','content':[{'type':'text','text':'done'},{'type':'text','text':'ok'}],'"
             "is_error':false},"
             "{'type':'text','text':'And tomorrow?'}]},"
             "{'role':'assistant','content':[{'type':'tool_use','id':'toolu_3','name':'noop','input':{}}]},"
             "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_3'}]}]}",
             NULL, NULL),
          "{'model':'c','max_tokens':50,"
          "'tools':[{'type':'function','function':{'name':'get_weather','description':'Weather',"
          "'parameters':{'type':'object','properties':{'city':{'type':'string'}}}}},"
          "{'type':'function','function':{'name':'noop','parameters':{'type':'object'}}}],"
          "'tool_choice':'required','parallel_tool_calls':false,"
          "'messages':[{'role':'user','content':'Weather?'},"
          "{'role':'assistant','content':'Checking','tool_calls':["
          "{'id':'toolu_1','type':'function','function':{'name':'get_weather','arguments':'{\\'city\\':\\'Paris\\'}'}},"
          "{'id':'toolu_2','type':'function','function':{'name':'noop','arguments':'{}'}}]},"
          "{'role':'tool','tool_call_id':'toolu_1','content':'18C'},"
          "{'role':'tool','tool_call_id':'toolu_2','content':'done\\nok'},"
          "{'role':'user','content':'And tomorrow?'},"
          "{'role':'assistant','content':null,'tool_calls':[{'id':'toolu_3','type':'function','function':{'name':'noop','arguments'"
          ":'{}'}}]},"
          "{'role':'tool','tool_call_id':'toolu_3','content':''}]}");

    static const struct {
        const char *anthropic, *openai;
    } choices[] = {
        {"{'type':'auto'}", "'auto'"},
        {"{'type':'any'}", "'required'"},
        {"{'type':'none'}", "'none'"},
        {"{'type':'tool','name':'get_weather'}", "{'type':'function','function':{'name':'get_weather'}}"},
    };
    for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{'model':'c','max_tokens':5,'tools':[{'name':'get_weather','input_schema':{'type':'object'}}],"
                 "'tool_choice':%s,'messages':[{'role':'user','content':'x'}]}",
                 choices[i].anthropic);
        json_t *out = b4(body, NULL, NULL);
        assert_non_null(out);
        json_t *want = J(choices[i].openai);
        assert_json_eq(json_object_get(out, "tool_choice"), want);
        assert_null(json_object_get(out, "parallel_tool_calls"));
        json_decref(want);
        json_decref(out);
    }
    /* tool_choice without tools is dropped (OpenAI rejects it) */
    json_t *out =
        b4("{'model':'c','max_tokens':5,'tool_choice':{'type':'auto'},'messages':[{'role':'user','content':'x'}]}", NULL, NULL);
    assert_non_null(out);
    assert_null(json_object_get(out, "tool_choice"));
    json_decref(out);
}

static void t_b4_errors(void **state)
{
    (void)state;
    b4_fails("[]", NULL, "JSON object");
    b4_fails("{'max_tokens':5,'messages':[{'role':'user','content':'x'}]}", "model", "model: field required");
    b4_fails("{'model':7,'max_tokens':5,'messages':[{'role':'user','content':'x'}]}", "model", "model");
    b4_fails("{'model':'','max_tokens':5,'messages':[{'role':'user','content':'x'}]}", "model", "model");
    b4_fails("{'model':'c','messages':[{'role':'user','content':'x'}]}", "max_tokens", "max_tokens: field required");
    b4_fails("{'model':'c','max_tokens':'5','messages':[{'role':'user','content':'x'}]}", "max_tokens", "integer");
    b4_fails("{'model':'c','max_tokens':5.5,'messages':[{'role':'user','content':'x'}]}", "max_tokens", "integer");
    b4_fails("{'model':'c','max_tokens':0,'messages':[{'role':'user','content':'x'}]}", "max_tokens", "positive");
    b4_fails("{'model':'c','max_tokens':5}", "messages", "messages: field required");
    b4_fails("{'model':'c','max_tokens':5,'messages':[]}", "messages", "non-empty");
    b4_fails("{'model':'c','max_tokens':5,'messages':'hi'}", "messages", "non-empty");
    b4_fails("{'model':'c','max_tokens':5,'messages':[3]}", "messages", "messages.0: must be an object");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'system','content':'x'}]}", "messages.role", "messages.0.role");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'content':'x'}]}", "messages.role", "messages.0.role");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user'}]}", "messages.content", "messages.0.content");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':{}}]}", "messages.content", "messages.0.content");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':'a'},{'role':'user','content':[{'type':'video'}]}]}",
             "messages.content.type", "messages.1.content.0.type: unknown content block type \"video\"");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[7]}]}", "messages.content.type",
             "messages.0.content.0.type");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'text'}]}]}", "messages.content.text",
             "messages.0.content.0.text");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'document','source':{}}]}]}",
             "messages.content.type", "not supported");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'image','source':{'type':'file'}}]}]}",
             "messages.content.source.type", "messages.0.content.0.source.type");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'image','source':{'type':'base64','data':'"
             "x'}}]}]}",
             "messages.content.source", "media_type");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'image','source':{'type':'url'}}]}]}",
             "messages.content.source.url", "messages.0.content.0.source.url");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'thinking','thinking':'t'}]}]}",
             "messages.content.type", "only allowed in assistant");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'assistant','content':[{'type':'image','source':{'type':'url','url':'"
             "u'}}]}]}",
             "messages.content.type", "only allowed in user");
    b4_fails(
        "{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'tool_use','id':'t','name':'f','input':{}}]}]}",
        "messages.content.type", "only allowed in assistant");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'assistant','content':[{'type':'tool_use','name':'f','input':{}}]}]}",
             "messages.content.id", "messages.0.content.0.id");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'assistant','content':[{'type':'tool_use','id':'t','input':{}}]}]}",
             "messages.content.name", "messages.0.content.0.name");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'assistant','content':[{'type':'tool_use','id':'t','name':'f','input'"
             ":'{}'}]}]}",
             "messages.content.input", "input: must be an object");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'assistant','content':[{'type':'tool_result','tool_use_id':'t'}]}]}",
             "messages.content.type", "only allowed in user");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'tool_result'}]}]}",
             "messages.content.tool_use_id", "tool_use_id");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'tool_result','tool_use_id':'t','is_error':"
             "'no'}]}]}",
             "messages.content.is_error", "is_error");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'tool_result','tool_use_id':'t','content':"
             "5}]}]}",
             "messages.content.content", "content");
    b4_fails("{'model':'c','max_tokens':5,'messages':[{'role':'user','content':[{'type':'tool_result','tool_use_id':'t',"
             "'content':[{'type':'image','source':{}}]}]}]}",
             "messages.content.content.type", "only text blocks");
    b4_fails("{'model':'c','max_tokens':5,'system':5,'messages':[{'role':'user','content':'x'}]}", "system", "system");
    b4_fails("{'model':'c','max_tokens':5,'system':[{'type':'image'}],'messages':[{'role':'user','content':'x'}]}", "system",
             "system.0");
    b4_fails("{'model':'c','max_tokens':5,'tools':{},'messages':[{'role':'user','content':'x'}]}", "tools", "tools");
    b4_fails("{'model':'c','max_tokens':5,'tools':[{'input_schema':{}}],'messages':[{'role':'user','content':'x'}]}", "tools.name",
             "tools.0.name");
    b4_fails("{'model':'c','max_tokens':5,'tools':[{'name':'f'}],'messages':[{'role':'user','content':'x'}]}", "tools.input_schema",
             "tools.0.input_schema");
    b4_fails("{'model':'c','max_tokens':5,'tools':[{'name':'f','input_schema':{},'description':3}],'messages':[{'role':'user','"
             "content':'x'}]}",
             "tools.description", "tools.0.description");
    b4_fails(
        "{'model':'c','max_tokens':5,'tools':[{'type':'bash_20250124','name':'bash'}],'messages':[{'role':'user','content':'x'}]}",
        "tools.type", "server tools");
    b4_fails("{'model':'c','max_tokens':5,'tool_choice':{'type':'maybe'},'messages':[{'role':'user','content':'x'}]}",
             "tool_choice.type", "tool_choice.type");
    b4_fails("{'model':'c','max_tokens':5,'tool_choice':{'type':'tool'},'messages':[{'role':'user','content':'x'}]}",
             "tool_choice.name", "tool_choice.name");
    b4_fails("{'model':'c','max_tokens':5,'tool_choice':{'type':'auto','disable_parallel_tool_use':1},'messages':[{'role':'user','"
             "content':'x'}]}",
             "tool_choice.disable_parallel_tool_use", "disable_parallel_tool_use");
    b4_fails("{'model':'c','max_tokens':5,'stop_sequences':'x','messages':[{'role':'user','content':'x'}]}", "stop_sequences",
             "stop_sequences");
    b4_fails("{'model':'c','max_tokens':5,'stop_sequences':['a',1],'messages':[{'role':'user','content':'x'}]}", "stop_sequences",
             "stop_sequences.1");
    b4_fails("{'model':'c','max_tokens':5,'temperature':'x','messages':[{'role':'user','content':'x'}]}", "temperature",
             "temperature");
    b4_fails("{'model':'c','max_tokens':5,'top_p':[],'messages':[{'role':'user','content':'x'}]}", "top_p", "top_p");
    b4_fails("{'model':'c','max_tokens':5,'top_k':0.5,'messages':[{'role':'user','content':'x'}]}", "top_k", "top_k");
    b4_fails("{'model':'c','max_tokens':5,'stream':1,'messages':[{'role':'user','content':'x'}]}", "stream", "stream");
    b4_fails("{'model':'c','max_tokens':5,'metadata':'x','messages':[{'role':'user','content':'x'}]}", "metadata", "metadata");
    b4_fails("{'model':'c','max_tokens':5,'metadata':{'user_id':5},'messages':[{'role':'user','content':'x'}]}", "metadata.user_id",
             "metadata.user_id");
    /* NULL out-pointers are fine */
    json_t *in = J("{}");
    assert_null(sov_anthropic_request_to_openai(in, NULL, NULL));
    json_decref(in);
    assert_null(sov_anthropic_request_to_openai(NULL, NULL, NULL));
}

/* ======================================================================================================
 * B5. OpenAI response -> Anthropic message
 * ==================================================================================================== */

static void t_b5_response(void **state)
{
    (void)state;
    json_t *in =
        J("{'id':'chatcmpl-abc123','object':'chat.completion','created':1,'model':'gpt-x',"
          "'choices':[{'index':0,'message':{'role':'assistant','content':'Sure.','refusal':null,'tool_calls':["
          "{'id':'call_9','type':'function','function':{'name':'get_weather','arguments':'{\\'city\\':\\'Oslo\\'}'}}]},"
          "'logprobs':null,'finish_reason':'tool_calls'}],"
          "'usage':{'prompt_tokens':50,'completion_tokens':12,'total_tokens':62,'prompt_tokens_details':{'cached_tokens':30}}}");
    json_t *out = sov_openai_response_to_anthropic(in, NULL);
    json_decref(in);
    check(
        out,
        "{'id':'msg_abc123','type':'message','role':'assistant','model':'gpt-x',"
        "'content':[{'type':'text','text':'Sure.'},{'type':'tool_use','id':'call_9','name':'get_weather','input':{'city':'Oslo'}}],"
        "'stop_reason':'tool_use','stop_sequence':null,"
        "'usage':{'input_tokens':20,'cache_creation_input_tokens':0,'cache_read_input_tokens':30,'output_tokens':12}}");

    static const char *const map[][2] = {{"'stop'", "end_turn"},          {"'length'", "max_tokens"},
                                         {"'tool_calls'", "tool_use"},    {"'function_call'", "tool_use"},
                                         {"'content_filter'", "refusal"}, {"null", "end_turn"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{'id':'x','model':'m','choices':[{'message':{'role':'assistant','content':''},'finish_reason':%s}]}", map[i][0]);
        json_t *r = J(body);
        json_t *o = sov_openai_response_to_anthropic(r, NULL);
        json_decref(r);
        assert_non_null(o);
        assert_string_equal(json_string_value(json_object_get(o, "stop_reason")), map[i][1]);
        assert_int_equal(json_array_size(json_object_get(o, "content")), 0);
        assert_true(json_is_null(json_object_get(o, "stop_sequence")));
        json_decref(o);
    }
    /* no id: one is made up; content as parts; refusal becomes text */
    json_t *r = J("{'choices':[{'message':{'content':[{'type':'text','text':'a'},{'type':'text','text':'b'}]}}]}");
    json_t *o = sov_openai_response_to_anthropic(r, NULL);
    json_decref(r);
    assert_non_null(o);
    assert_true(strncmp(json_string_value(json_object_get(o, "id")), "msg_", 4) == 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "content"), 0), "text")), "ab");
    json_decref(o);
    r = J("{'id':'x','choices':[{'message':{'content':null,'refusal':'I cannot.'},'finish_reason':'stop'}]}");
    o = sov_openai_response_to_anthropic(r, NULL);
    json_decref(r);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "content"), 0), "text")), "I cannot.");
    json_decref(o);
}

static void t_b5_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "5",
        "{}",
        "{'choices':[]}",
        "{'choices':[{'message':'x'}]}",
        "{'choices':[{'message':{'content':5}}]}",
        "{'choices':[{'message':{'content':[{'type':'image_url'}]}}]}",
        "{'choices':[{'message':{'content':'x','tool_calls':[{'id':'c','function':{'name':'f','arguments':'{bad'}}]}}]}",
        "{'choices':[{'message':{'content':'x','tool_calls':{}}}]}",
        "{'choices':[{'message':{'content':'x'},'finish_reason':1}]}",
        "{'choices':[{'message':{'content':'x'}}],'usage':{'prompt_tokens':'1'}}",
        "{'choices':[{'message':{'content':'x'}}],'usage':{'prompt_tokens':1,'prompt_tokens_details':{'cached_tokens':5}}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *r = J(bad[i]);
        char *err = NULL;
        json_t *o = sov_openai_response_to_anthropic(r, &err);
        json_decref(r);
        if (o)
            fail_msg("case %zu unexpectedly converted", i);
        assert_non_null(err);
        free(err);
    }
    assert_null(sov_openai_response_to_anthropic(NULL, NULL));
}

/* ======================================================================================================
 * B6. OpenAI stream -> Anthropic events
 * ==================================================================================================== */

#define OC "'id':'chatcmpl-s1','object':'chat.completion.chunk','created':1,'model':'up-model',"

static void t_b6_text_stream(void **state)
{
    (void)state;
    struct sov_openai_to_anthropic_stream *st = sov_openai_to_anthropic_stream_new("claude-client");
    json_t *got = json_array();
    assert_int_equal(
        feed_b(st, "{" OC "'choices':[{'index':0,'delta':{'role':'assistant','content':''},'finish_reason':null}],'usage':null}",
               got),
        0);
    assert_int_equal(feed_b(st, "{" OC "'choices':[{'index':0,'delta':{'content':'Hel'},'finish_reason':null}]}", got), 0);
    assert_int_equal(feed_b(st, "{" OC "'choices':[{'index':0,'delta':{'content':'lo \\'q\\''},'finish_reason':null}]}", got), 0);
    assert_int_equal(feed_b(st, "{" OC "'choices':[{'index':0,'delta':{},'finish_reason':'stop'}]}", got), 0);
    assert_int_equal(feed_b(st, "{" OC "'choices':[],'usage':{'prompt_tokens':11,'completion_tokens':3,'total_tokens':14}}", got),
                     0);
    assert_int_equal(sov_openai_to_anthropic_stream_finish(st, collect_event, got), 0);
    json_t *want = J("["
                     "{'type':'message_start','message':{'id':'msg_s1','type':'message','role':'assistant','model':'claude-client',"
                     "'content':[],'stop_reason':null,'stop_sequence':null,"
                     "'usage':{'input_tokens':0,'cache_creation_input_tokens':0,'cache_read_input_tokens':0,'output_tokens':0}}},"
                     "{'type':'ping'},"
                     "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}},"
                     "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Hel'}},"
                     "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'lo \\'q\\''}},"
                     "{'type':'content_block_stop','index':0},"
                     "{'type':'message_delta','delta':{'stop_reason':'end_turn','stop_sequence':null},"
                     "'usage':{'input_tokens':11,'cache_read_input_tokens':0,'output_tokens':3}},"
                     "{'type':'message_stop'}]");
    assert_json_eq(got, want);
    json_decref(want);
    int64_t p, c;
    sov_openai_to_anthropic_stream_usage(st, &p, &c);
    assert_int_equal(p, 11);
    assert_int_equal(c, 3);
    assert_int_equal(sov_openai_to_anthropic_stream_finish(st, collect_event, got), SOV_EINVAL);
    assert_int_equal(feed_b(st, "{" OC "'choices':[]}", got), SOV_EINVAL);
    json_decref(got);
    sov_openai_to_anthropic_stream_free(st);
    sov_openai_to_anthropic_stream_free(NULL);
}

static void t_b6_tool_stream(void **state)
{
    (void)state;
    struct sov_openai_to_anthropic_stream *st = sov_openai_to_anthropic_stream_new(NULL);
    json_t *got = json_array();
    static const char *const chunks[] = {
        "{" OC "'choices':[{'index':0,'delta':{'role':'assistant','content':null},'finish_reason':null}],"
        "'usage':{'prompt_tokens':80,'completion_tokens':0,'prompt_tokens_details':{'cached_tokens':64}}}",
        "{" OC "'choices':[{'index':0,'delta':{'content':'Let me look.'},'finish_reason':null}]}",
        "{" OC "'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_A','type':'function',"
        "'function':{'name':'get_weather','arguments':''}}]},'finish_reason':null}]}",
        "{" OC
        "'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'{\\'city\\''}}]},'finish_reason':null}]}",
        "{" OC "'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':':\\'Oslo\\'}'}}]},'finish_reason':"
               "null}]}",
        /* second call: id first, name in a later chunk (some servers split them) */
        "{" OC "'choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'id':'call_B','type':'function','function':{}}]},'finish_"
               "reason':null}]}",
        "{" OC "'choices':[{'index':0,'delta':{'tool_calls':[{'index':1,'function':{'name':'time','arguments':'{}'}}]},'finish_"
               "reason':null}]}",
        /* third call with no arguments at all and no id (id generated) */
        "{" OC "'choices':[{'index':0,'delta':{'tool_calls':[{'index':2,'function':{'name':'noop'}}]},'finish_reason':null}]}",
        "{" OC "'choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}],"
        "'usage':{'prompt_tokens':80,'completion_tokens':25,'prompt_tokens_details':{'cached_tokens':64}}}",
    };
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++)
        assert_int_equal(feed_b(st, chunks[i], got), 0);
    assert_int_equal(sov_openai_to_anthropic_stream_finish(st, collect_event, got), 0);
    /* the generated id is random: check its shape, then pin it for the comparison */
    json_t *gen = json_object_get(json_array_get(got, 12), "content_block");
    assert_true(strncmp(json_string_value(json_object_get(gen, "id")), "toolu_", 6) == 0);
    json_object_set_new(gen, "id", json_string("GEN"));
    json_t *want =
        J("["
          "{'type':'message_start','message':{'id':'msg_s1','type':'message','role':'assistant','model':'up-model',"
          "'content':[],'stop_reason':null,'stop_sequence':null,"
          "'usage':{'input_tokens':16,'cache_creation_input_tokens':0,'cache_read_input_tokens':64,'output_tokens':0}}},"
          "{'type':'ping'},"
          "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}},"
          "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Let me look.'}},"
          "{'type':'content_block_stop','index':0},"
          "{'type':'content_block_start','index':1,'content_block':{'type':'tool_use','id':'call_A','name':'get_weather','input':{}"
          "}},"
          "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':'{\\'city\\''}},"
          "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':':\\'Oslo\\'}'}},"
          "{'type':'content_block_stop','index':1},"
          "{'type':'content_block_start','index':2,'content_block':{'type':'tool_use','id':'call_B','name':'time','input':{}}},"
          "{'type':'content_block_delta','index':2,'delta':{'type':'input_json_delta','partial_json':'{}'}},"
          "{'type':'content_block_stop','index':2},"
          "{'type':'content_block_start','index':3,'content_block':{'type':'tool_use','id':'GEN','name':'noop','input':{}}},"
          "{'type':'content_block_stop','index':3},"
          "{'type':'message_delta','delta':{'stop_reason':'tool_use','stop_sequence':null},"
          "'usage':{'input_tokens':16,'cache_read_input_tokens':64,'output_tokens':25}},"
          "{'type':'message_stop'}]");
    assert_json_eq(got, want);
    json_decref(want);
    int64_t p, c;
    sov_openai_to_anthropic_stream_usage(st, &p, &c);
    assert_int_equal(p, 80);
    assert_int_equal(c, 25);
    json_decref(got);
    sov_openai_to_anthropic_stream_free(st);
}

static void t_b6_same_index_new_id(void **state)
{
    (void)state;
    /* some servers (Ollama) send each complete call at index 0: a new id starts a new tool_use block */
    struct sov_openai_to_anthropic_stream *st = sov_openai_to_anthropic_stream_new("c");
    json_t *got = json_array();
    assert_int_equal(
        feed_b(
            st,
            "{" OC
            "'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_1','function':{'name':'a','arguments':'{}'}}]}}]}",
            got),
        0);
    assert_int_equal(feed_b(st,
                            "{" OC "'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_2','function':{'name':'b','"
                                   "arguments':'{\\'x\\':1}'}}]}}]}",
                            got),
                     0);
    assert_int_equal(feed_b(st,
                            "{" OC "'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'call_2','function':{'arguments':'"
                                   "'}}]},'finish_reason':'tool_calls'}]}",
                            got),
                     0);
    assert_int_equal(sov_openai_to_anthropic_stream_finish(st, collect_event, got), 0);
    json_t *want =
        J("["
          "{'type':'message_start','message':{'id':'msg_s1','type':'message','role':'assistant','model':'c',"
          "'content':[],'stop_reason':null,'stop_sequence':null,"
          "'usage':{'input_tokens':0,'cache_creation_input_tokens':0,'cache_read_input_tokens':0,'output_tokens':0}}},"
          "{'type':'ping'},"
          "{'type':'content_block_start','index':0,'content_block':{'type':'tool_use','id':'call_1','name':'a','input':{}}},"
          "{'type':'content_block_delta','index':0,'delta':{'type':'input_json_delta','partial_json':'{}'}},"
          "{'type':'content_block_stop','index':0},"
          "{'type':'content_block_start','index':1,'content_block':{'type':'tool_use','id':'call_2','name':'b','input':{}}},"
          "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':'{\\'x\\':1}'}},"
          "{'type':'content_block_stop','index':1},"
          "{'type':'message_delta','delta':{'stop_reason':'tool_use','stop_sequence':null},'usage':{'output_tokens':0}},"
          "{'type':'message_stop'}]");
    assert_json_eq(got, want);
    json_decref(want);
    json_decref(got);
    sov_openai_to_anthropic_stream_free(st);
}

static void t_b6_empty_and_errors(void **state)
{
    (void)state;
    /* finish without any chunk: a complete empty message */
    struct sov_openai_to_anthropic_stream *st = sov_openai_to_anthropic_stream_new("c");
    json_t *got = json_array();
    assert_int_equal(sov_openai_to_anthropic_stream_finish(st, collect_event, got), 0);
    assert_int_equal(json_array_size(got), 4);
    static const char *const types[] = {"message_start", "ping", "message_delta", "message_stop"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(got, i), "type")), types[i]);
    json_t *md = json_array_get(got, 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(md, "delta"), "stop_reason")), "end_turn");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(md, "usage"), "output_tokens")), 0);
    assert_null(json_object_get(json_object_get(md, "usage"), "input_tokens"));
    json_decref(got);
    sov_openai_to_anthropic_stream_free(st);

    /* length -> max_tokens, open text block closed by finish even without finish_reason chunk */
    st = sov_openai_to_anthropic_stream_new("c");
    got = json_array();
    assert_int_equal(feed_b(st, "{" OC "'choices':[{'index':0,'delta':{'content':'x'},'finish_reason':'length'}]}", got), 0);
    assert_int_equal(sov_openai_to_anthropic_stream_finish(st, collect_event, got), 0);
    assert_int_equal(json_array_size(got), 7);
    assert_string_equal(json_string_value(json_object_get(json_array_get(got, 4), "type")), "content_block_stop");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(got, 5), "delta"), "stop_reason")),
                        "max_tokens");
    json_decref(got);
    sov_openai_to_anthropic_stream_free(st);

    /* an error chunk mid-stream: an error event, then the stream is over */
    st = sov_openai_to_anthropic_stream_new("c");
    got = json_array();
    assert_int_equal(feed_b(st, "{" OC "'choices':[{'index':0,'delta':{'content':'x'}}]}", got), 0);
    assert_int_equal(feed_b(st, "{'error':{'message':'upstream exploded','type':'server_error'}}", got), SOV_EUPSTREAM);
    json_t *last = json_array_get(got, json_array_size(got) - 1);
    json_t *want = J("{'type':'error','error':{'type':'api_error','message':'upstream exploded'}}");
    assert_json_eq(last, want);
    json_decref(want);
    assert_int_equal(sov_openai_to_anthropic_stream_finish(st, collect_event, got), SOV_EINVAL);
    json_decref(got);
    sov_openai_to_anthropic_stream_free(st);

    /* the gateway ends a stream with an error (e.g. the upstream broke) */
    st = sov_openai_to_anthropic_stream_new("c");
    got = json_array();
    assert_int_equal(sov_openai_to_anthropic_stream_error(st, "overloaded_error", "Overloaded", collect_event, got), 0);
    want = J("[{'type':'error','error':{'type':'overloaded_error','message':'Overloaded'}}]");
    assert_json_eq(got, want);
    json_decref(want);
    assert_int_equal(sov_openai_to_anthropic_stream_error(st, "x", "y", collect_event, got), SOV_EINVAL);
    json_decref(got);
    sov_openai_to_anthropic_stream_free(st);

    /* malformed chunks */
    static const char *const bad[] = {
        "nope",
        "[1]",
        "{'choices':5}",
        "{'choices':[5]}",
        "{'choices':[{'index':'0','delta':{}}]}",
        "{'choices':[{'index':0,'delta':5}]}",
        "{'choices':[{'index':0,'delta':{'content':5}}]}",
        "{'choices':[{'index':0,'delta':{'tool_calls':{}}}]}",
        "{'choices':[{'index':0,'delta':{'tool_calls':[5]}}]}",
        "{'choices':[{'index':0,'delta':{'tool_calls':[{'index':'a'}]}}]}",
        "{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':{}}}]}}]}",
        "{'choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':5}]}}]}",
        "{'choices':[{'index':0,'delta':{},'finish_reason':5}]}",
        "{'choices':[],'usage':5}",
        "{'choices':[],'usage':{'prompt_tokens':'5'}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        st = sov_openai_to_anthropic_stream_new("c");
        got = json_array();
        int rc = feed_b(st, bad[i], got);
        if (rc != SOV_EPARSE)
            fail_msg("case %zu: rc %d", i, rc);
        /* a bad chunk does not end the stream: finishing still yields a complete message */
        assert_int_equal(sov_openai_to_anthropic_stream_finish(st, collect_event, got), 0);
        assert_string_equal(json_string_value(json_object_get(json_array_get(got, json_array_size(got) - 1), "type")),
                            "message_stop");
        json_decref(got);
        sov_openai_to_anthropic_stream_free(st);
    }
    st = sov_openai_to_anthropic_stream_new("c");
    assert_int_equal(sov_openai_to_anthropic_stream_feed(st, NULL, 0, collect_event, NULL), SOV_EINVAL);
    assert_int_equal(sov_openai_to_anthropic_stream_feed(st, "{}", 2, NULL, NULL), SOV_EINVAL);
    assert_int_equal(sov_openai_to_anthropic_stream_finish(st, NULL, NULL), SOV_EINVAL);
    sov_openai_to_anthropic_stream_free(st);
    /* choices other than 0 are ignored */
    st = sov_openai_to_anthropic_stream_new("c");
    got = json_array();
    assert_int_equal(feed_b(st, "{" OC "'choices':[{'index':1,'delta':{'content':'other'}}]}", got), 0);
    assert_int_equal(json_array_size(got), 2); /* message_start, ping */
    json_decref(got);
    sov_openai_to_anthropic_stream_free(st);
}

/* ======================================================================================================
 * Errors and round trips
 * ==================================================================================================== */

static void t_error_bodies(void **state)
{
    (void)state;
    check(sov_anthropic_error_body("invalid_request_error", "max_tokens: field required"),
          "{'type':'error','error':{'type':'invalid_request_error','message':'max_tokens: field required'}}");
    check(sov_anthropic_error_body(NULL, NULL), "{'type':'error','error':{'type':'api_error','message':''}}");
    size_t len = 0;
    char *ev = sov_anthropic_error_event("overloaded_error", "Over \"loaded\"", &len);
    assert_non_null(ev);
    assert_int_equal(len, strlen(ev));
    json_error_t je;
    json_t *v = json_loads(ev, 0, &je);
    free(ev);
    check(v, "{'type':'error','error':{'type':'overloaded_error','message':'Over \\'loaded\\''}}");
    static const struct {
        int status;
        const char *type;
    } map[] = {{400, "invalid_request_error"},
               {401, "authentication_error"},
               {403, "permission_error"},
               {404, "not_found_error"},
               {413, "request_too_large"},
               {429, "rate_limit_error"},
               {500, "api_error"},
               {502, "api_error"},
               {503, "overloaded_error"},
               {529, "overloaded_error"},
               {422, "invalid_request_error"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        assert_string_equal(sov_anthropic_error_type_for_status(map[i].status), map[i].type);
}

/* An Anthropic client's request, through the gateway (to OpenAI), out to an Anthropic upstream, comes
 * back equivalent. */
static void t_round_trip_request(void **state)
{
    (void)state;
    const char *lit =
        "{'model':'claude-x','max_tokens':300,'system':'S','temperature':0.3,'stop_sequences':['X'],"
        "'tools':[{'name':'f','description':'d','input_schema':{'type':'object','properties':{'a':{'type':'integer'}}}}],"
        "'tool_choice':{'type':'tool','name':'f'},"
        "'messages':[{'role':'user','content':[{'type':'text','text':'q'}]},"
        "{'role':'assistant','content':[{'type':'text','text':'t'},{'type':'tool_use','id':'toolu_1','name':'f','input':{'a':1}}]},"
        "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':'r'},{'type':'text','text':'more'}]}],"
        "'metadata':{'user_id':'u'},'stream':true}";
    json_t *orig = J(lit);
    json_t *oa = sov_anthropic_request_to_openai(orig, NULL, NULL);
    assert_non_null(oa);
    json_t *back = sov_anthropic_request_from_openai(oa, NULL, NULL);
    json_decref(oa);
    json_decref(orig);
    check(
        back,
        "{'model':'claude-x','max_tokens':300,'system':'S','temperature':0.3,'stop_sequences':['X'],"
        "'tools':[{'name':'f','description':'d','input_schema':{'type':'object','properties':{'a':{'type':'integer'}}}}],"
        "'tool_choice':{'type':'tool','name':'f'},"
        "'messages':[{'role':'user','content':[{'type':'text','text':'q'}]},"
        "{'role':'assistant','content':[{'type':'text','text':'t'},{'type':'tool_use','id':'toolu_1','name':'f','input':{'a':1}}]},"
        "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1','content':'r'},{'type':'text','text':'more'}]}],"
        "'metadata':{'user_id':'u'},'stream':true}");
}

/* Streams chained: Anthropic upstream events -> OpenAI chunks -> Anthropic events for the client. */
struct chain {
    struct sov_openai_to_anthropic_stream *b;
    json_t *events;
};

static void chain_chunk(void *ud, const char *json, size_t len)
{
    struct chain *c = ud;
    assert_int_equal(sov_openai_to_anthropic_stream_feed(c->b, json, len, collect_event, c->events), 0);
}

static void t_round_trip_stream(void **state)
{
    (void)state;
    struct chain c = {sov_openai_to_anthropic_stream_new("claude-x"), json_array()};
    struct sov_anthropic_stream *a = sov_anthropic_stream_new("claude-x", true);
    static const char *const events[] = {
        "{'type':'message_start','message':{'id':'msg_RT','type':'message','role':'assistant','content':[],'model':'claude-x',"
        "'stop_reason':null,'stop_sequence':null,'usage':{'input_tokens':9,'output_tokens':1}}}",
        "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}",
        "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Hi'}}",
        "{'type':'content_block_stop','index':0}",
        "{'type':'content_block_start','index':1,'content_block':{'type':'tool_use','id':'toolu_Z','name':'f','input':{}}}",
        "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':'{\\'a\\':'}}",
        "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':'1}'}}",
        "{'type':'content_block_stop','index':1}",
        "{'type':'message_delta','delta':{'stop_reason':'tool_use','stop_sequence':null},'usage':{'output_tokens':7}}",
        "{'type':'message_stop'}",
    };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        char *s = T(events[i]);
        assert_int_equal(sov_anthropic_stream_feed(a, NULL, s, strlen(s), chain_chunk, &c), 0);
        free(s);
    }
    assert_int_equal(sov_openai_to_anthropic_stream_finish(c.b, collect_event, c.events), 0);
    json_t *want =
        J("["
          "{'type':'message_start','message':{'id':'msg_RT','type':'message','role':'assistant','model':'claude-x',"
          "'content':[],'stop_reason':null,'stop_sequence':null,"
          "'usage':{'input_tokens':0,'cache_creation_input_tokens':0,'cache_read_input_tokens':0,'output_tokens':0}}},"
          "{'type':'ping'},"
          "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}},"
          "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'Hi'}},"
          "{'type':'content_block_stop','index':0},"
          "{'type':'content_block_start','index':1,'content_block':{'type':'tool_use','id':'toolu_Z','name':'f','input':{}}},"
          "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':'{\\'a\\':'}},"
          "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':'1}'}},"
          "{'type':'content_block_stop','index':1},"
          "{'type':'message_delta','delta':{'stop_reason':'tool_use','stop_sequence':null},"
          "'usage':{'input_tokens':9,'cache_read_input_tokens':0,'output_tokens':7}},"
          "{'type':'message_stop'}]");
    assert_json_eq(c.events, want);
    json_decref(want);
    json_decref(c.events);
    sov_openai_to_anthropic_stream_free(c.b);
    sov_anthropic_stream_free(a);
}

/* ======================================================================================================
 * Malformed inputs: every node of valid inputs replaced by every wrong type; nothing may crash
 * (run under ASan+UBSan), and every call must either succeed or fail with an error message.
 * ==================================================================================================== */

/* Replaces the n-th value slot (depth-first) of root with repl (a copy). Returns true if done. */
static bool replace_nth(json_t *node, long *n, const json_t *repl)
{
    if (json_is_object(node)) {
        const char *key;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(node, tmp, key, v)
        {
            if ((*n)-- == 0) {
                json_object_set_new(node, key, json_deep_copy(repl));
                return true;
            }
            if (replace_nth(v, n, repl))
                return true;
        }
    } else if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++) {
            if ((*n)-- == 0) {
                json_array_set_new(node, i, json_deep_copy(repl));
                return true;
            }
            if (replace_nth(json_array_get(node, i), n, repl))
                return true;
        }
    }
    return false;
}

static long count_slots(const json_t *node)
{
    long n = 0;
    if (json_is_object(node)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)node, key, v) n += 1 + count_slots(v);
    } else if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++)
            n += 1 + count_slots(json_array_get(node, i));
    }
    return n;
}

static const char *const wrong_values[] = {
    "null", "0", "-1", "99999999999", "1.5", "true", "''", "'x'", "[]", "[1]", "{}", "{'type':'text'}", "[{'type':'tool_use'}]"};

typedef void (*mutant_fn)(const json_t *mutant);

static void for_each_mutant(const char *lit, mutant_fn fn)
{
    json_t *base = J(lit);
    long slots = count_slots(base);
    json_t *repls[sizeof wrong_values / sizeof wrong_values[0]];
    for (size_t r = 0; r < sizeof wrong_values / sizeof wrong_values[0]; r++)
        repls[r] = J(wrong_values[r]);
    for (long s = 0; s < slots; s++) {
        for (size_t r = 0; r < sizeof wrong_values / sizeof wrong_values[0]; r++) {
            json_t *m = json_deep_copy(base);
            long n = s;
            assert_true(replace_nth(m, &n, repls[r]));
            fn(m);
            json_decref(m);
        }
    }
    fn(base);
    for (size_t r = 0; r < sizeof wrong_values / sizeof wrong_values[0]; r++) {
        fn(repls[r]);
        json_decref(repls[r]);
    }
    json_decref(base);
}

static void mut_a1(const json_t *m)
{
    char *err = NULL;
    json_t *o = sov_anthropic_request_from_openai(m, NULL, &err);
    assert_true((o != NULL) != (err != NULL));
    json_decref(o);
    free(err);
}

static void mut_a2(const json_t *m)
{
    char *err = NULL;
    json_t *o = sov_anthropic_response_to_openai(m, &err);
    assert_true((o != NULL) != (err != NULL));
    json_decref(o);
    free(err);
}

static void mut_b4(const json_t *m)
{
    char *err = NULL;
    const char *param = NULL;
    json_t *o = sov_anthropic_request_to_openai(m, &err, &param);
    assert_true((o != NULL) != (err != NULL));
    json_decref(o);
    free(err);
}

static void mut_b5(const json_t *m)
{
    char *err = NULL;
    json_t *o = sov_openai_response_to_anthropic(m, &err);
    assert_true((o != NULL) != (err != NULL));
    json_decref(o);
    free(err);
}

static void t_malformed_requests_responses(void **state)
{
    (void)state;
    for_each_mutant(
        "{'model':'m','max_tokens':5,'temperature':0.1,'top_p':0.5,'stop':['s'],'stream':true,'user':'u','n':1,"
        "'tools':[{'type':'function','function':{'name':'f','description':'d','parameters':{'type':'object'}}}],"
        "'tool_choice':{'type':'function','function':{'name':'f'}},'parallel_tool_calls':false,"
        "'messages':[{'role':'system','content':[{'type':'text','text':'s'}]},"
        "{'role':'user','content':[{'type':'text','text':'q'},{'type':'image_url','image_url':{'url':'data:image/"
        "png;base64,AA'}}]},"
        "{'role':'assistant','content':'a','tool_calls':[{'id':'c','type':'function','function':{'name':'f','arguments':'{}'}}]},"
        "{'role':'tool','tool_call_id':'c','content':[{'type':'text','text':'r'}]}]}",
        mut_a1);
    for_each_mutant("{'id':'msg_1','type':'message','role':'assistant','model':'c','stop_reason':'end_turn',"
                    "'content':[{'type':'text','text':'x'},{'type':'tool_use','id':'t','name':'f','input':{'a':[1]}}],"
                    "'usage':{'input_tokens':1,'output_tokens':2,'cache_read_input_tokens':3,'cache_creation_input_tokens':4}}",
                    mut_a2);
    for_each_mutant(
        "{'model':'c','max_tokens':5,'system':[{'type':'text','text':'s'}],'temperature':0.1,'top_p':0.5,'top_k':3,"
        "'stop_sequences':['x'],'stream':true,'metadata':{'user_id':'u'},"
        "'tools':[{'name':'f','description':'d','input_schema':{'type':'object'}}],"
        "'tool_choice':{'type':'tool','name':'f','disable_parallel_tool_use':true},"
        "'messages':[{'role':'user','content':[{'type':'text','text':'q'},"
        "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'AA'}}]},"
        "{'role':'assistant','content':[{'type':'text','text':'a'},{'type':'tool_use','id':'t','name':'f','input':{}}]},"
        "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t','is_error':false,"
        "'content':[{'type':'text','text':'r'}]}]}]}",
        mut_b4);
    for_each_mutant(
        "{'id':'chatcmpl-1','model':'m','choices':[{'index':0,'finish_reason':'stop','message':{'role':'assistant',"
        "'content':'x','refusal':null,'tool_calls':[{'id':'c','type':'function','function':{'name':'f','arguments':'{}'}}]}}],"
        "'usage':{'prompt_tokens':5,'completion_tokens':2,'prompt_tokens_details':{'cached_tokens':1}}}",
        mut_b5);
}

/* Stream mutants: one event of a valid sequence replaced by a mutant, the rest fed as they are. */
static const char *const a_seq[] = {
    "{'type':'message_start','message':{'id':'msg_1','model':'c','usage':{'input_tokens':1,'output_tokens':1}}}",
    "{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}}",
    "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'x'}}",
    "{'type':'content_block_stop','index':0}",
    "{'type':'content_block_start','index':1,'content_block':{'type':'tool_use','id':'t','name':'f','input':{}}}",
    "{'type':'content_block_delta','index':1,'delta':{'type':'input_json_delta','partial_json':'{}'}}",
    "{'type':'content_block_stop','index':1}",
    "{'type':'message_delta','delta':{'stop_reason':'tool_use'},'usage':{'output_tokens':3}}",
    "{'type':'error','error':{'type':'overloaded_error','message':'m'}}",
    "{'type':'message_stop'}",
};
static const char *const b_seq[] = {
    "{'id':'c1','model':'m','choices':[{'index':0,'delta':{'role':'assistant','content':'x'},'finish_reason':null}]}",
    "{'id':'c1','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'id':'t','type':'function','function':{'name':'f','"
    "arguments':'{'}}]}}]}",
    "{'id':'c1','choices':[{'index':0,'delta':{'tool_calls':[{'index':0,'function':{'arguments':'}'}}]}}]}",
    "{'id':'c1','choices':[{'index':0,'delta':{},'finish_reason':'tool_calls'}],'usage':{'prompt_tokens':1,'completion_tokens':2}}",
    "{'error':{'message':'boom'}}",
};
static size_t mut_slot;
static const char *const *mut_seq;
static size_t mut_seq_len;

static void mut_stream_a(const json_t *m)
{
    struct sov_anthropic_stream *st = sov_anthropic_stream_new(mut_slot & 1 ? "m" : NULL, mut_slot & 2);
    for (size_t i = 0; i < mut_seq_len; i++) {
        char *s = i == mut_slot ? json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY) : T(mut_seq[i]);
        int rc = sov_anthropic_stream_feed(st, NULL, s, strlen(s), ignore_chunk, NULL);
        free(s);
        assert_true(rc <= 0);
        if (rc < 0 && rc != SOV_EINVAL)
            assert_non_null(sov_anthropic_stream_error(st, NULL));
    }
    sov_anthropic_stream_free(st);
}

static void mut_stream_b(const json_t *m)
{
    struct sov_openai_to_anthropic_stream *st = sov_openai_to_anthropic_stream_new(mut_slot & 1 ? "m" : NULL);
    for (size_t i = 0; i < mut_seq_len; i++) {
        char *s = i == mut_slot ? json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY) : T(mut_seq[i]);
        int rc = sov_openai_to_anthropic_stream_feed(st, s, strlen(s), ignore_event, NULL);
        free(s);
        assert_true(rc <= 0);
    }
    int rc = sov_openai_to_anthropic_stream_finish(st, ignore_event, NULL);
    assert_true(rc == 0 || rc == SOV_EINVAL);
    sov_openai_to_anthropic_stream_free(st);
}

static void t_malformed_streams(void **state)
{
    (void)state;
    /* the error event comes last but one in a_seq: feed sequences without it too */
    for (size_t without_error = 0; without_error < 2; without_error++) {
        const char *seq[sizeof a_seq / sizeof a_seq[0]];
        size_t n = 0;
        for (size_t i = 0; i < sizeof a_seq / sizeof a_seq[0]; i++)
            if (!without_error || !strstr(a_seq[i], "'error'"))
                seq[n++] = a_seq[i];
        mut_seq = seq;
        mut_seq_len = n;
        for (mut_slot = 0; mut_slot < n; mut_slot++)
            for_each_mutant(seq[mut_slot], mut_stream_a);
    }
    mut_seq = b_seq;
    mut_seq_len = sizeof b_seq / sizeof b_seq[0];
    for (mut_slot = 0; mut_slot < mut_seq_len; mut_slot++)
        for_each_mutant(b_seq[mut_slot], mut_stream_b);
    mut_seq_len = mut_seq_len - 1; /* without the error chunk */
    for (mut_slot = 0; mut_slot < mut_seq_len; mut_slot++)
        for_each_mutant(b_seq[mut_slot], mut_stream_b);
}

/* ======================================================================================================
 * Failing allocations: each jansson allocation of a conversion fails in turn (only that one; the
 * ones after it succeed, so an unchecked failure would show as a wrong result). A conversion then
 * either fails or returns exactly what it returns with memory to spare; never a crash or a leak.
 * ==================================================================================================== */

static long alloc_fail_at = -1; /* -1: none */
static long alloc_count;

static void *budget_malloc(size_t n)
{
    if (alloc_count++ == alloc_fail_at)
        return NULL;
    return malloc(n);
}

static void fail_alloc_at(long n)
{
    alloc_count = 0;
    alloc_fail_at = n;
}

/* Stops failing; returns whether the armed failure happened. */
static bool fail_alloc_stop(void)
{
    bool hit = alloc_fail_at >= 0 && alloc_count > alloc_fail_at;
    alloc_fail_at = -1;
    return hit;
}

typedef json_t *(*convert_fn)(const json_t *in);

static json_t *conv_a1(const json_t *in)
{
    return sov_anthropic_request_from_openai(in, NULL, NULL);
}
static json_t *conv_a2(const json_t *in)
{
    json_t *o = sov_anthropic_response_to_openai(in, NULL);
    json_object_del(o, "created");
    return o;
}
static json_t *conv_b4(const json_t *in)
{
    return sov_anthropic_request_to_openai(in, NULL, NULL);
}
static json_t *conv_b5(const json_t *in)
{
    return sov_openai_response_to_anthropic(in, NULL);
}

static void oom_pass(const char *lit, convert_fn fn)
{
    json_t *in = J(lit);
    json_t *want = fn(in);
    assert_non_null(want);
    for (long n = 0;; n++) {
        fail_alloc_at(n);
        json_t *got = fn(in);
        bool exhausted = fail_alloc_stop();
        if (got)
            assert_json_eq(got, want);
        json_decref(got);
        if (!exhausted) {
            assert_non_null(got);
            break;
        }
    }
    json_decref(want);
    json_decref(in);
}

static void oom_stream_a(void)
{
    for (long n = 0;; n++) {
        struct sov_anthropic_stream *st = sov_anthropic_stream_new("m", true);
        fail_alloc_at(n);
        int rc = 0;
        for (size_t i = 0; i < sizeof a_seq / sizeof a_seq[0] && !rc; i++) {
            if (strstr(a_seq[i], "'error'"))
                continue;
            char *s = T(a_seq[i]);
            rc = sov_anthropic_stream_feed(st, NULL, s, strlen(s), ignore_chunk_any, NULL);
            free(s);
        }
        bool exhausted = fail_alloc_stop();
        if (!exhausted) {
            assert_int_equal(rc, 0);
            assert_true(sov_anthropic_stream_done(st));
        }
        sov_anthropic_stream_free(st);
        if (!exhausted)
            break;
    }
}

static void oom_stream_b(void)
{
    for (long n = 0;; n++) {
        struct sov_openai_to_anthropic_stream *st = sov_openai_to_anthropic_stream_new("m");
        fail_alloc_at(n);
        int rc = 0;
        for (size_t i = 0; i + 1 < sizeof b_seq / sizeof b_seq[0] && !rc; i++) {
            char *s = T(b_seq[i]);
            rc = sov_openai_to_anthropic_stream_feed(st, s, strlen(s), ignore_event_any, NULL);
            free(s);
        }
        if (!rc)
            rc = sov_openai_to_anthropic_stream_finish(st, ignore_event_any, NULL);
        bool exhausted = fail_alloc_stop();
        if (!exhausted)
            assert_int_equal(rc, 0);
        sov_openai_to_anthropic_stream_free(st);
        if (!exhausted)
            break;
    }
}

static void t_alloc_failures(void **state)
{
    (void)state;
    json_set_alloc_funcs(budget_malloc, free);
    oom_pass(
        "{'model':'m','max_tokens':5,'temperature':0.1,'top_p':0.5,'stop':['s'],'stream':true,'user':'u','top_k':3,"
        "'tools':[{'type':'function','function':{'name':'f','description':'d','parameters':{'type':'object'}}},"
        "{'type':'function','function':{'name':'g'}}],"
        "'tool_choice':'auto','parallel_tool_calls':false,"
        "'messages':[{'role':'system','content':[{'type':'text','text':'s'}]},{'role':'developer','content':'d'},"
        "{'role':'user','content':[{'type':'text','text':'q'},{'type':'image_url','image_url':{'url':'data:image/png;base64,AA'}},"
        "{'type':'image_url','image_url':'https://x/y.png'}]},"
        "{'role':'assistant','content':'a','tool_calls':[{'id':'c','type':'function','function':{'name':'f','arguments':'{\\'k\\':["
        "1]}'}}]},"
        "{'role':'tool','tool_call_id':'c','content':[{'type':'text','text':'r'}]},{'role':'user','content':'more'},"
        "{'role':'assistant','content':''},{'role':'user','content':'end'}]}",
        conv_a1);
    oom_pass("{'id':'msg_1','type':'message','role':'assistant','model':'c','stop_reason':'end_turn',"
             "'content':[{'type':'text','text':'x'},{'type':'tool_use','id':'t','name':'f','input':{'a':[1]}}],"
             "'usage':{'input_tokens':1,'output_tokens':2,'cache_read_input_tokens':3,'cache_creation_input_tokens':4}}",
             conv_a2);
    oom_pass("{'model':'c','max_tokens':5,'system':[{'type':'text','text':'s'}],'temperature':0.1,'top_p':0.5,'top_k':3,"
             "'stop_sequences':['x'],'stream':true,'metadata':{'user_id':'u'},"
             "'tools':[{'name':'f','description':'d','input_schema':{'type':'object'}}],"
             "'tool_choice':{'type':'tool','name':'f','disable_parallel_tool_use':true},"
             "'messages':[{'role':'user','content':[{'type':'text','text':'q'},"
             "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'AA'}},"
             "{'type':'image','source':{'type':'url','url':'https://x'}}]},"
             "{'role':'assistant','content':[{'type':'text','text':'a'},{'type':'tool_use','id':'t','name':'f','input':{}}]},"
             "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t','is_error':false,"
             "'content':[{'type':'text','text':'r'}]},{'type':'text','text':'x'}]},{'role':'assistant','content':'plain'}]}",
             conv_b4);
    oom_pass("{'id':'chatcmpl-1','model':'m','choices':[{'index':0,'finish_reason':'stop','message':{'role':'assistant',"
             "'content':'x','refusal':null,'tool_calls':[{'id':'c','type':'function','function':{'name':'f','arguments':'{}'}}]}}],"
             "'usage':{'prompt_tokens':5,'completion_tokens':2,'prompt_tokens_details':{'cached_tokens':1}}}",
             conv_b5);
    oom_stream_a();
    oom_stream_b();
    json_set_alloc_funcs(malloc, free);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_a1_basic),
        cmocka_unit_test(t_a1_model_override_and_max_tokens),
        cmocka_unit_test(t_a1_multiturn_merge),
        cmocka_unit_test(t_a1_system_edges),
        cmocka_unit_test(t_a1_images),
        cmocka_unit_test(t_a1_tools),
        cmocka_unit_test(t_a1_errors),
        cmocka_unit_test(t_a2_text),
        cmocka_unit_test(t_a2_tool_use),
        cmocka_unit_test(t_a2_stop_reasons),
        cmocka_unit_test(t_a2_errors),
        cmocka_unit_test(t_a3_text_stream),
        cmocka_unit_test(t_a3_tool_stream),
        cmocka_unit_test(t_a3_stop_without_delta),
        cmocka_unit_test(t_a3_error_event),
        cmocka_unit_test(t_a3_malformed),
        cmocka_unit_test(t_b4_basic),
        cmocka_unit_test(t_b4_images),
        cmocka_unit_test(t_b4_tools),
        cmocka_unit_test(t_b4_errors),
        cmocka_unit_test(t_b5_response),
        cmocka_unit_test(t_b5_errors),
        cmocka_unit_test(t_b6_text_stream),
        cmocka_unit_test(t_b6_tool_stream),
        cmocka_unit_test(t_b6_same_index_new_id),
        cmocka_unit_test(t_b6_empty_and_errors),
        cmocka_unit_test(t_error_bodies),
        cmocka_unit_test(t_round_trip_request),
        cmocka_unit_test(t_round_trip_stream),
        cmocka_unit_test(t_malformed_requests_responses),
        cmocka_unit_test(t_malformed_streams),
        cmocka_unit_test(t_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
