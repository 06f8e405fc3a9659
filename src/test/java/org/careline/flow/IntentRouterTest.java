package org.careline.flow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Messages as families write them: colloquial, misspelled, long, mixed. (The larger labelled set that
 * measures accuracy lives in src/test/resources/routing/.)
 */
class IntentRouterTest {

    private static final IntentRouter ROUTER = ShippedFlowsTest.shipped().router();

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            孩子发烧住院了没钱交医药费 | help-request | need=medical
            我们搬家了 | report-change | what_changed=address
            我上次申请的怎么样了 | case-status | -
            家里没钱了，孩子的学费交不起 | help-request | need=schooling
            孩子生病了看病要好多钱，我们实在拿不出来 | help-request | need=medical
            能不能帮帮我们，日子过不下去了 | help-request | -
            我们家是低保户，生活困难 | help-request | need=living
            孩子他爸坐牢了，我一个人带两个孩子，生活很困难 | help-request | -
            离婚了孩子没人管 | help-request | need=guardianship
            孩子爸爸去世了，妈妈跑了，现在是奶奶带着 | help-request | need=guardianship
            孩子不愿意上学，天天在家不说话，是不是抑郁了 | help-request | need=mental
            宝宝贫血，奶粉钱都付不起 | help-request | -
            想申请临时救助 | help-request | -
            我想问问有没有补助 | help-request | -
            孩子要做手术，还差好几万 | help-request | need=medical
            娃读书的钱没着落 | help-request | need=schooling
            我换了电话号码 | report-change | what_changed=phone
            手机号换了，新的是13912345678 | report-change | what_changed=phone
            我们家地址变了 | report-change | what_changed=address
            孩子转学了，告诉你们一下 | report-change | what_changed=school
            我找到工作了，收入有变化 | report-change | what_changed=income
            孩子他爸出狱回来了 | report-change | what_changed=guardian
            我的申请批下来没有 | case-status | -
            进度怎么样了 | case-status | -
            查一下我的申请到哪一步了 | case-status | -
            申请了好久了还没人联系我 | case-status | -
            钱什么时候到账 | case-status | -
            审核通过了吗 | case-status | -
            近度查询 | case-status | -
            我要找工作人员 | talk-to-staff | -
            我想投诉 | talk-to-staff | -
            今天去走访了 | visit-log | -
            孩子没钱看病 | help-request | need=medical
            交不起房租了 | help-request | need=living
            孩子得了白血病 | help-request | need=medical
            没收入了，吃饭都成问题 | help-request | need=living
            孩子他爸又打孩子了，我没钱 | urgent | -
            我不想活了 | urgent | -
            孩子不见了，一直找不到 | urgent | -
            转人工 | talk-to-staff | -
            菜单 | menu | -
            """)
    @DisplayName("routes everyday messages to the right flow with the right preset")
    void routes(String text, String flow, String preset) {
        Route r = ROUTER.route(text);
        assertThat(r.flow()).as(text + " (score " + r.score() + ", presets " + r.presets() + ")").isEqualTo(flow);
        if (preset != null) {
            String[] kv = preset.split("=");
            assertThat(r.presets()).as(text).containsEntry(kv[0], kv[1]);
        }
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            孩子他爸打工回来又把孩子打了 | urgent | -
            娃在公园走丢了 | urgent | -
            我孙子两天没回家了 | urgent | -
            有人把娃扔在车站 | urgent | -
            老公喝了酒又动手了 | urgent | -
            闺女被网友约出去了，说是单独见面 | urgent | -
            家里没有电脑，孩子上不了网课 | help-request | need=schooling
            孩子的医药废交不起 | help-request | need=medical
            孩子户口迁到城里了 | report-change | -
            上个月交的材料有结果了吗 | case-status | -
            补助申请一直没下文 | case-status | -
            """)
    @DisplayName("reads combinations: a child with harm, a need with an ask, a change with a topic, an application with progress")
    void combinations(String text, String flow, String preset) {
        routes(text, flow, preset);
    }

    @ParameterizedTest(name = "{0} is no danger")
    @CsvSource(delimiter = '|', textBlock = """
            我给孩子打了电话
            孩子打疫苗要花钱吗
            孩子在家打游戏不写作业
            孩子晚上踢被子感冒了
            孩子要动手术，家里没钱
            孩子他爸联系不上了，我一个人带孩子
            孩子妈妈跑了，孩子是奶奶带大的
            给孩子收拾书包准备开学
            孩子最近老把自己关在屋里不说话
            孩子打工的爸爸寄钱回来了
            孩子上户口要去派出所开证明吗
            """)
    @DisplayName("ordinary messages with 打, 关, 踢 or a parent's news raise no danger alarm")
    void noFalseAlarm(String text) {
        assertThat(ROUTER.route(text).flow()).as(text).isNotEqualTo("urgent");
    }

    @ParameterizedTest(name = "{0} -> nothing")
    @CsvSource(delimiter = '|', textBlock = """
            谢谢
            好的
            。。。
            """)
    @DisplayName("small talk routes nowhere (the menu is shown instead)")
    void smallTalk(String text) {
        assertThat(ROUTER.route(text).found()).as(text).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            你好
            在吗
            你好 请问一下
            您好，我想咨询一下
            """)
    @DisplayName("a greeting, alone or with 请问一下, leads to the menu, never to a guessed flow")
    void greetings(String text) {
        assertThat(ROUTER.route(text).flow()).as(text).isEqualTo("menu");
    }
}
